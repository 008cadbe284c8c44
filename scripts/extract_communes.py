"""Write flows/data/communes-DEP.csv from INSEE's code officiel géographique, as npm ships it.

The communes come from the npm package @etalab/decoupage-administratif (data: Licence Ouverte,
INSEE's COG of the year its version names). Nothing is downloaded at run time: this script is
run by hand, once per territory or new COG, and its output is committed.

    python scripts/extract_communes.py 94                  # npm pack the pinned version
    python scripts/extract_communes.py 94 --tarball FILE   # a tarball already downloaded
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"  # COG 2026; the package's README maps versions to years
OUT = Path(__file__).resolve().parents[1] / "flows" / "data"


def pack(version: str, into: Path) -> Path:
    """Fetch the package's tarball with npm (the ordinary client) and return its path."""
    done = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}"], cwd=into, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return into / done.stdout.strip().splitlines()[-1]


def read_member(tarball: Path, name: str) -> Any:
    """Return one JSON file of the package."""
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tarball} has no package/{name}")
        return json.load(member)


def communes(tarball: Path, departement: str) -> list[tuple[str, str]]:
    """Return (INSEE code, name) of the current communes of a département, by code."""
    rows = read_member(tarball, "data/communes.json")
    found = [(c["code"], c["nom"]) for c in rows
             if c.get("departement") == departement and c.get("type") == "commune-actuelle"]  # fmt: skip
    if not found:
        raise SystemExit(f"no commune of département {departement!r} in {tarball}")
    return sorted(found)


def main(argv: list[str] | None = None) -> None:
    """Extract one département's communes into flows/data/."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("departement", help="INSEE code of the département, e.g. 94 or 2A")
    parser.add_argument("--version", default=VERSION, help=f"package version (default {VERSION})")
    parser.add_argument("--tarball", type=Path, help="use this package tarball instead of npm pack")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or pack(args.version, Path(tmp))
        meta = read_member(tarball, "package.json")
        found = communes(tarball, args.departement)
    target = OUT / f"communes-{args.departement}.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "nom"])
        writer.writerows(found)
    print(f"{target}: {len(found)} communes from {meta['name']} {meta['version']}; "
          "record the source in flows/data/README.md")  # fmt: skip


if __name__ == "__main__":
    main()
