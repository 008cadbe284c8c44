"""Benchmark: 100,000 answers exported to CSV, XLSX and JSON; time and peak memory of each.

Run: python bench/export/run.py [--answers 100000] [--database-url URL]
Time is measured with tracemalloc off; peak memory (Python allocations) in a second pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from dashboard.config import load_flows  # noqa: E402
from dashboard.export_service import start_export  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Answer, Participant, Run  # noqa: E402

FLOW = ROOT / "tests" / "dashboard" / "seed.py"
RESULTS = [("age", "30-44"), ("commune", "creteil"), ("genre", "femme"),
           ("egalite_travail", "non"), ("lieux", "travail,rue"), ("volontaire", "oui"),
           ("suivi", "oui"),
           ("priorite", "Des crèches ouvertes plus tard, des horaires souples.")]  # fmt: skip


def seed(db: Database, answers: int) -> None:
    """Insert enough completed runs to hold the wanted number of answers."""
    runs = answers // len(RESULTS)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with db.transaction() as session:
        session.execute(
            insert(Participant),
            [
                {
                    "id": i + 1,
                    "key": f"{i:064d}",
                    "channel": "sms",
                    "address_enc": b"x",
                    "created_at": start,
                    "last_seen_at": start,
                }
                for i in range(runs)
            ],
        )
        session.execute(
            insert(Run),
            [
                {
                    "id": i + 1,
                    "participant_id": i + 1,
                    "flow_id": "egalite",
                    "flow_version": 1,
                    "channel": "sms",
                    "state": {},
                    "status": "completed",
                    "started_at": start,
                    "updated_at": start,
                    "ended_at": start + timedelta(minutes=5),
                }
                for i in range(runs)
            ],
        )
        session.execute(insert(Answer), [
            {"run_id": i + 1, "participant_id": i + 1, "flow_id": "egalite", "flow_version": 1,
             "channel": "sms", "step": f"q_{name}", "result": name, "value": value,
             "theme": "travail" if name == "priorite" else None, "assisted": False,
             "easy": i % 3 == 0, "created_at": start}
            for i in range(runs) for name, value in RESULTS])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pv-bench-export-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    if url.startswith("postgresql"):
        from tests.conftest import reset_postgres

        reset_postgres(url)
    db = Database(url)
    db.upgrade()
    flows_dir = work / "flows"
    flows_dir.mkdir()
    from tests.dashboard.seed import FLOW_YAML

    (flows_dir / "egalite.yml").write_text(FLOW_YAML, encoding="utf-8")
    flows = load_flows(flows_dir)
    began = time.perf_counter()
    seed(db, args.answers)
    print(
        f"database: {url.split(':')[0]}; seeded {args.answers} answers in {time.perf_counter() - began:.1f} s"
    )
    print(f"{'format':<8}{'seconds':>10}{'peak MiB':>12}{'file MiB':>12}")
    for fmt in ("csv", "xlsx", "json"):
        out = work / f"answers.{fmt}"
        began = time.perf_counter()
        with out.open("wb") as handle:
            for chunk in start_export(db, flows, fmt, ["egalite"], "bench"):
                handle.write(chunk)
        seconds = time.perf_counter() - began
        tracemalloc.start()
        for _chunk in start_export(db, flows, fmt, ["egalite"], "bench"):
            pass
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = out.stat().st_size / 2**20
        print(f"{fmt:<8}{seconds:>10.2f}{peak / 2**20:>12.1f}{size:>12.1f}")
    db.dispose()


if __name__ == "__main__":
    main()
