"""The inbound path's queries on SQLite and PostgreSQL: participant lock, dedupe, outbox rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import repo
from storage.db import Database
from storage.models import Answer, OutboxMessage, Participant, Run


def seen_at(db: Database, when: datetime | None = None) -> datetime:
    """Lock participant k1 (setting its last_seen_at first when given); return last_seen_at."""
    with db.transaction() as session:
        if when is not None:
            participant = session.query(Participant).filter_by(key="k1").one()
            participant.last_seen_at = when
    with db.transaction() as session:
        seen = repo.lock_participant(session, "k1", "sms", b"enc").last_seen_at
    return seen if seen.tzinfo else seen.replace(tzinfo=UTC)


def test_last_seen_is_refreshed_once_it_is_an_hour_old(database: Database) -> None:
    first = seen_at(database)
    assert datetime.now(UTC) - first < timedelta(minutes=1)
    recent = datetime.now(UTC) - timedelta(minutes=10)
    assert abs(seen_at(database, recent) - recent) < timedelta(seconds=1)  # kept: saves a write
    stale = datetime.now(UTC) - timedelta(days=2)
    assert datetime.now(UTC) - seen_at(database, stale) < timedelta(minutes=1)


def test_the_address_is_encrypted_only_for_a_new_participant(database: Database) -> None:
    calls: list[int] = []

    def encrypt() -> bytes:
        calls.append(1)
        return b"enc"

    for _ in range(3):
        with database.transaction() as session:
            participant = repo.lock_participant(session, "k1", "sms", encrypt)
    assert calls == [1] and participant.address_enc == b"enc"


def test_an_inbound_id_is_recorded_once_per_channel(database: Database) -> None:
    with database.transaction() as session:
        pid = repo.lock_participant(session, "k1", "sms", b"enc").id
        first = repo.record_inbound(session, "sms", "SM1", pid, "text")
        assert first is not None
        assert repo.record_inbound(session, "sms", "SM1", pid, "choice") is None
        assert repo.record_inbound(session, "voice", "SM1", pid, "text") not in (None, first)
        found = repo.find_inbound(session, "sms", "SM1")
        assert found is not None and (found.id, found.kind) == (first, "text")


def test_outbox_rows_come_back_in_order_as_queued_or_sent(database: Database) -> None:
    now = datetime.now(UTC)
    with database.transaction() as session:
        pid = repo.lock_participant(session, "k1", "sms", b"enc").id
        queued = repo.add_outbox_rows(session, pid, "sms", [{"text": "a"}, {"text": "b"}])
        sent = repo.add_outbox_rows(session, pid, "sms", [{"text": "c"}], sent_at=now, segments=[2])
        assert repo.add_outbox_rows(session, pid, "sms", []) == []
    with database.sessions() as session:
        rows = {r.id: r for r in session.query(OutboxMessage)}
    assert [rows[i].payload["text"] for i in queued + sent] == ["a", "b", "c"]
    assert [(rows[i].status, rows[i].attempts, rows[i].segments) for i in queued + sent] == [
        ("pending", 0, None), ("pending", 0, None), ("sent", 1, 2)]  # fmt: skip


def test_re_answering_replaces_the_answer_in_place(database: Database) -> None:
    with database.transaction() as session:
        pid = repo.lock_participant(session, "k1", "sms", b"enc").id
        run = Run(participant_id=pid, flow_id="f", flow_version=1, channel="sms", state={}, status="active")
        session.add(run)
        session.flush()
        for value in ("bien", "mal"):
            repo.save_answer(session, run, {"step": "humeur", "result": "humeur", "value": value,
                                            "created_at": datetime.now(UTC)})  # fmt: skip
        repo.save_answer(session, run, {"step": "age", "result": "age", "value": "30-44"})
    with database.sessions() as session:
        rows = session.query(Answer).order_by(Answer.id).all()
    assert [(a.result, a.value) for a in rows] == [("humeur", "mal"), ("age", "30-44")]


def test_a_saved_run_state_is_what_the_next_transaction_reads(database: Database) -> None:
    with database.transaction() as session:
        pid = repo.lock_participant(session, "k1", "sms", b"enc").id
        run = Run(participant_id=pid, flow_id="f", flow_version=1, channel="sms", state={"step": "a"},
                  status="active")  # fmt: skip
        session.add(run)
        session.flush()
        repo.end_run(run, "completed", datetime.now(UTC))
        repo.save_run(session, run, {"step": None}, "completed", datetime.now(UTC))
        assert run not in session.dirty and run.state == {"step": None}
    with database.sessions() as session:
        stored = session.query(Run).one()
        assert (stored.state, stored.status) == ({"step": None}, "completed")
        assert stored.ended_at is not None
        assert repo.open_run(session, pid) is None


def test_the_open_run_and_the_last_question_come_in_one_read(database: Database) -> None:
    asked = {"text": "Oui ?", "expects": "choice", "step": "q"}
    with database.transaction() as session:
        pid = repo.lock_participant(session, "k1", "sms", b"enc").id
        assert repo.open_run_and_prompt(session, pid) == (None, None)
        event = repo.add_inbound(session, "sms", "SM1", pid, "text").id
        repo.add_outbox_rows(session, pid, "sms", [asked], event)
        assert repo.open_run_and_prompt(session, pid) == (None, asked)
        repo.add_outbox_rows(session, pid, "sms", [{"text": "Retour", "expects": "none"}])  # feedback
        assert repo.open_run_and_prompt(session, pid) == (None, asked)
        old = Run(participant_id=pid, flow_id="f", flow_version=1, channel="sms", state={},
                  status="completed")  # fmt: skip
        current = Run(participant_id=pid, flow_id="f", flow_version=1, channel="sms", state={},
                      status="active")  # fmt: skip
        session.add_all([old, current])
        session.flush()
        repo.add_outbox_rows(session, pid, "sms", [{"text": "Merci", "expects": "none"}], event)
        run, prompt = repo.open_run_and_prompt(session, pid)
        assert run is current and prompt is None  # the last message asked nothing
