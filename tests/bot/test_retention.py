"""Retention and erasure, checked by scanning every table afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import MetaData, select, text

from bot.container import Services
from storage.models import Answer, Participant, utcnow
from storage.retention import erase, purge

ADDRESS = "+33611223344"
VERBATIM = "Plus de lumière rue Victor Hugo"


def every_row(services: Services) -> str:
    """Dump every row of every table (including tables of later migrations) as text."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    dump = []
    with services.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                dump.append(repr(tuple(row)))
    return "\n".join(dump)


def journey(send: Callable[..., Any], address: str) -> None:
    """Answer the demo flow up to its free text, with a verbatim."""
    send(address, channel="sms", text="demo")
    for text_ in ("1", "oui", "bien", "1", "4", "passer", VERBATIM, "oui"):
        send(address, channel="sms", text=text_)


def test_erase_removes_the_participant_everywhere(services: Services, send: Callable[..., Any]) -> None:
    journey(send, ADDRESS)
    journey(send, "+33655555555")
    key = services.service.participant_key("sms", ADDRESS)
    before = every_row(services)
    assert key in before and VERBATIM in before
    with services.db.transaction() as session:
        participant = session.scalars(select(Participant).where(Participant.key == key)).one()
        assert erase(session, participant) == 4
    after = every_row(services)
    assert key not in after
    with services.db.sessions() as session:
        remaining = session.scalars(select(Answer)).all()
    assert len(remaining) == 4  # the other participant's answers stay
    assert VERBATIM in after  # the other participant's verbatim


def test_purge_anonymises_people_past_retention(services: Services, send: Callable[..., Any]) -> None:
    journey(send, ADDRESS)
    key = services.service.participant_key("sms", ADDRESS)
    with services.db.transaction() as session:
        session.execute(text("UPDATE participants SET last_seen_at = :t"),
                        {"t": utcnow() - timedelta(days=200)})  # fmt: skip
        session.execute(text("UPDATE outbox SET created_at = :t"), {"t": utcnow() - timedelta(days=200)})
        session.execute(text("UPDATE inbound_events SET received_at = :t"),
                        {"t": utcnow() - timedelta(days=200)})  # fmt: skip
    with services.db.transaction() as session:
        report = purge(session, utcnow() - timedelta(days=180))
    assert report.participants == 1 and report.verbatims == 1 and report.messages > 0
    after = every_row(services)
    assert key not in after and VERBATIM not in after
    with services.db.sessions() as session:
        kept = {a.result: a.value for a in session.scalars(select(Answer))}
        participant = session.scalars(select(Participant)).one()
    assert kept["humeur"] == "bien" and kept["priorite"] == ""
    assert participant.address_enc == b""
    # The same number writing again is a new, unlinked participant.
    send(ADDRESS, channel="sms", text="demo")
    with services.db.sessions() as session:
        assert len(session.scalars(select(Participant)).all()) == 2


def test_purge_forgets_a_typed_commune_and_keeps_its_category(
    services: Services, send: Callable[..., Any]
) -> None:
    journey(send, ADDRESS)
    with services.db.transaction() as session:
        first = session.scalars(select(Answer)).first()
        assert first is not None
        session.add(Answer(run_id=first.run_id, participant_id=first.participant_id, flow_id=first.flow_id,
                           flow_version=first.flow_version, channel="sms", step="commune", result="commune",
                           value="Autre commune", raw_text="Tours"))  # fmt: skip
        session.execute(text("UPDATE participants SET last_seen_at = :t"),
                        {"t": utcnow() - timedelta(days=200)})  # fmt: skip
    with services.db.transaction() as session:
        purge(session, utcnow() - timedelta(days=180))
    with services.db.sessions() as session:
        commune = session.scalars(select(Answer).where(Answer.result == "commune")).one()
    assert (commune.value, commune.raw_text) == ("Autre commune", None)  # counted, name forgotten
    assert "Tours" not in every_row(services)


def test_purge_keeps_people_within_retention(services: Services, send: Callable[..., Any]) -> None:
    journey(send, ADDRESS)
    with services.db.transaction() as session:
        report = purge(session, utcnow() - timedelta(days=180))
    assert report.participants == 0
    assert VERBATIM in every_row(services)
