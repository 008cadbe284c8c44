"""The territory's reference population: a CSV of (feature, value, population)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.dashboard_models import ReferenceShare

HEADER = ["feature", "value", "population"]
MAX_ROWS = 1000


class ReferenceError(ValueError):
    """A reference CSV cannot be used (the message says which line and why)."""


@dataclass(frozen=True)
class Reference:
    """Population per (feature, value), and where the figures come from."""

    rows: dict[str, dict[str, int]]
    source: str


def parse(text: str, source: str) -> Reference:
    """Read a reference CSV; refuse anything that is not feature,value,population."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if header != HEADER:
        raise ReferenceError("la première ligne doit être : feature,value,population")
    rows: dict[str, dict[str, int]] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != 3:
            raise ReferenceError(f"ligne {line} : il faut 3 colonnes")
        feature, value, population = (cell.strip() for cell in record)
        if not feature or not value:
            raise ReferenceError(f"ligne {line} : feature et value ne peuvent pas être vides")
        if not population.isdigit():
            raise ReferenceError(f"ligne {line} : population doit être un nombre entier positif")
        if value in rows.setdefault(feature, {}):
            raise ReferenceError(f"ligne {line} : {feature} = {value} apparaît deux fois")
        rows[feature][value] = int(population)
        if line > MAX_ROWS:
            raise ReferenceError(f"le fichier dépasse {MAX_ROWS} lignes")
    if not rows:
        raise ReferenceError("le fichier ne contient aucune ligne de données")
    return Reference(rows, source)


def load(session: Session, default_csv: Path, default_source: str = "") -> Reference:
    """Return the uploaded reference, completed by the shipped default for missing features."""
    stored: dict[str, dict[str, int]] = {}
    sources: set[str] = set()
    for row in session.scalars(select(ReferenceShare).order_by(ReferenceShare.id)):
        stored.setdefault(row.feature, {})[row.value] = row.population
        sources.add(row.source)
    default = Reference({}, "")
    if default_csv.exists():
        text = default_csv.read_text(encoding="utf-8")
        default = parse(text, default_source or default_csv.name)
    merged = {**default.rows, **stored}
    names = sorted(sources) + ([default.source] if set(default.rows) - set(stored) else [])
    return Reference(merged, ", ".join(n for n in names if n))


def replace(session: Session, reference: Reference) -> None:
    """Store an uploaded reference, replacing the features it covers."""
    session.execute(delete(ReferenceShare).where(ReferenceShare.feature.in_(list(reference.rows))))
    for feature, values in reference.rows.items():
        for value, population in values.items():
            session.add(ReferenceShare(feature=feature, value=value, population=population,
                                       source=reference.source[:255]))  # fmt: skip
