"""Identifiers typed in free text never reach the database: answers, read-backs, safety flags."""

from __future__ import annotations

from sqlalchemy import MetaData, select

from bot.container import Services
from tests.bot.test_service import Send, to_consent

TYPED = "Rappelez-moi au 06/12/34/56/78 ou +33 (0)6 12 34 56 78, ou x@localhost"


def everything(services: Services) -> str:
    """Return every row of every table as text."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    with services.db.engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for table in metadata.sorted_tables
                         for row in conn.execute(select(table)))  # fmt: skip


def test_a_free_text_and_a_danger_flag_are_stored_masked(services: Services, send: Send) -> None:
    to_consent(send)
    send(choice="bien", step="humeur")
    send(choice="maison", step="sujets")
    send(choice="_valider", step="sujets")
    send(choice="cmd:passer", step="age")
    read_back = send(text=TYPED)
    assert "[numéro masqué]" in read_back.replies[0].text and "[adresse masquée]" in read_back.replies[0].text
    send(text="mon mari me frappe, appelez le 0612345678")
    stored = everything(services)
    for leak in ("12/34", "12 34", "0612345678", "localhost", "612345678"):
        assert leak not in stored, leak
    assert "[numéro masqué]" in stored
