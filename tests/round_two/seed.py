"""Statements written by a facilitator, and what round two saved, read back from the database."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from storage import round_two
from storage.db import Database

DEFINITIONS = Path(__file__).resolve().parents[2] / "flows" / "definitions"
STATEMENTS = {
    "Les crèches doivent ouvrir plus tard le soir.": "Les crèches ouvrent plus tard le soir.",
    "Les rues doivent être mieux éclairées la nuit.": "Plus de lumière dans les rues la nuit.",
}


def write_statements(db: Database, statements: dict[str, str] = STATEMENTS) -> dict[str, int]:
    """Write approved statements (text: easy-read text); return each standard text's id."""
    with db.transaction() as session:
        return {
            text: round_two.write(session, text, easy, "anne@example.org").id
            for text, easy in statements.items()
        }


def saved_votes(db: Database) -> list[tuple[int, str]]:
    """Return the votes saved, as (statement id, value), in the order they were given."""
    with db.transaction() as session:
        return [(statement, value) for _person, statement, value in round_two.votes(session)]


def proposals(db: Database) -> list[tuple[str, str]]:
    """Return the statements participants proposed, with their status."""
    with db.transaction() as session:
        return [(s.text, s.status) for s in round_two.listed(session) if s.source == "participant"]


def _bare(text: str) -> str:
    """Drop the accents an SMS may have lost on the way."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def shown(text: str, ids: dict[str, int]) -> int:
    """Return the id of the statement a message shows (in either register, accents or not)."""
    found = [ids[t] for t, e in STATEMENTS.items() if _bare(t) in _bare(text) or _bare(e) in _bare(text)]
    assert len(found) == 1, text
    return found[0]
