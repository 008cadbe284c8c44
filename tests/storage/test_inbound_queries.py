"""The inbound path's SQL (storage/turns.py) on SQLite and PostgreSQL, read back through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import repo
from storage.db import Database
from storage.models import Answer, FlowVersion, OutboxMessage, Participant, Run
from storage.turns import turn


def seen_at(db: Database, when: datetime | None = None) -> datetime:
    """Lock participant k1 (setting its last_seen_at first when given); return last_seen_at."""
    with db.transaction() as session:
        if when is not None:
            participant = session.query(Participant).filter_by(key="k1").one()
            participant.last_seen_at = when
    with turn(db) as store:
        store.save_participant(store.lock_participant("k1", "sms", lambda: b"enc"))
    with db.sessions() as session:
        seen = session.query(Participant).filter_by(key="k1").one().last_seen_at
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
        with turn(database) as store:
            store.lock_participant("k1", "sms", encrypt)
    with database.sessions() as session:
        stored = session.query(Participant).one()
    assert calls == [1] and stored.address_enc == b"enc" and stored.language == "fr"


def test_what_the_conversation_changes_on_a_participant_is_written_back(database: Database) -> None:
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    with turn(database) as store:
        participant = store.lock_participant("k1", "sms", lambda: b"enc")
        participant.easy, participant.consent_at, participant.pending_action = True, when, "erase"
        store.save_participant(participant)
    with turn(database) as store:
        again = store.lock_participant("k1", "sms", lambda: b"enc")
        assert (again.easy, again.audio, again.pending_action) == (True, False, "erase")
        assert again.consent_at is not None and again.consent_at.replace(tzinfo=UTC) == when
        assert again.changes() == {}


def test_an_inbound_id_is_recorded_once_per_channel(database: Database) -> None:
    with turn(database) as store:
        pid = store.lock_participant("k1", "sms", lambda: b"enc").id
        first = store.record_inbound("sms", "SM1", pid, "text")
        assert first is not None
        assert store.record_inbound("sms", "SM1", pid, "choice") is None
        assert store.record_inbound("voice", "SM1", pid, "text") not in (None, first)
        found = repo.find_inbound(store.session, "sms", "SM1")
        assert found is not None and (found.id, found.kind) == (first, "text")


def test_outbox_rows_come_back_in_order_as_queued_or_sent(database: Database) -> None:
    now = datetime.now(UTC)
    with turn(database) as store:
        pid = store.lock_participant("k1", "sms", lambda: b"enc").id
        queued = store.add_outbox_rows(pid, "sms", [{"text": "a"}, {"text": "b"}])
        sent = store.add_outbox_rows(pid, "sms", [{"text": "c"}], sent_at=now, segments=[2])
        assert store.add_outbox_rows(pid, "sms", []) == []
    with database.sessions() as session:
        rows = {r.id: r for r in session.query(OutboxMessage)}
    assert [rows[i].payload["text"] for i in queued + sent] == ["a", "b", "c"]
    assert [(rows[i].status, rows[i].attempts, rows[i].segments, rows[i].via) for i in queued + sent] == [
        ("pending", 0, None, None), ("pending", 0, None, None), ("sent", 1, 2, "reply")]  # fmt: skip
    assert rows[sent[0]].claimed_at is not None and rows[queued[0]].claimed_at is None


def test_re_answering_replaces_the_answer_in_place(database: Database) -> None:
    with turn(database) as store:
        pid = store.lock_participant("k1", "sms", lambda: b"enc").id
        run = store.new_run(pid, "f", 1, "sms", {}, "active", datetime.now(UTC))
        for value in ("bien", "mal"):
            store.save_answer(run, {"step": "humeur", "result": "humeur", "value": value,
                                    "created_at": datetime.now(UTC)})  # fmt: skip
        store.save_answer(run, {"step": "age", "result": "age", "value": "30-44", "theme": "travail"})
    with database.sessions() as session:
        rows = session.query(Answer).order_by(Answer.id).all()
    assert [(a.result, a.value, a.theme) for a in rows] == [
        ("humeur", "mal", None), ("age", "30-44", "travail")]  # fmt: skip
    assert rows[0].flow_id == "f" and rows[0].participant_id == pid and rows[0].assisted is False


def test_a_saved_run_state_is_what_the_next_transaction_reads(database: Database) -> None:
    with turn(database) as store:
        pid = store.lock_participant("k1", "sms", lambda: b"enc").id
        run = store.new_run(pid, "f", 1, "sms", {"step": "a", "results": {"x": "é"}}, "active",
                            datetime.now(UTC))  # fmt: skip
        assert store.open_run(pid) == run
        store.save_run(run, {"step": "b"}, "paused", datetime.now(UTC))
    with turn(database) as store:
        assert store.open_run(pid) == run and run.state == {"step": "b"}
        store.end_run(run, "completed", datetime.now(UTC))
        assert store.open_run(pid) is None
    with database.sessions() as session:
        stored = session.query(Run).one()
        assert (stored.state, stored.status) == ({"step": "b"}, "completed")
        assert stored.ended_at is not None and stored.updated_at is not None


def test_the_open_run_and_the_last_question_come_in_one_read(database: Database) -> None:
    asked = {"text": "Oui ?", "expects": "choice", "step": "q"}
    with turn(database) as store:
        pid = store.lock_participant("k1", "sms", lambda: b"enc").id
        assert store.open_run_and_prompt(pid) == (None, None)
        event = store.record_inbound("sms", "SM1", pid, "text")
        store.add_outbox_rows(pid, "sms", [asked], event)
        assert store.open_run_and_prompt(pid) == (None, asked)
        assert store.last_prompt(pid) == asked
        store.add_outbox_rows(pid, "sms", [{"text": "Retour", "expects": "none"}])  # feedback
        assert store.open_run_and_prompt(pid) == (None, asked)
        now = datetime.now(UTC)
        store.end_run(store.new_run(pid, "f", 1, "sms", {}, "active", now), "completed", now)
        current = store.new_run(pid, "f", 1, "sms", {}, "active", now)
        store.add_outbox_rows(pid, "sms", [{"text": "Merci", "expects": "none"}], event)
        run, prompt = store.open_run_and_prompt(pid)
        assert run == current and prompt is None  # the last message asked nothing


def test_a_flow_version_is_stored_once(database: Database) -> None:
    for _ in range(2):
        with turn(database) as store:
            store.remember_flow("egalite", 3, "id: egalite")
    with database.sessions() as session:
        assert [(v.flow_id, v.version, v.source) for v in session.query(FlowVersion)] == [
            ("egalite", 3, "id: egalite")]  # fmt: skip


def test_an_error_rolls_the_whole_turn_back(database: Database) -> None:
    try:
        with turn(database) as store:
            pid = store.lock_participant("k1", "sms", lambda: b"enc").id
            store.record_inbound("sms", "SM1", pid, "text")
            raise RuntimeError("crash mid-turn")
    except RuntimeError:
        pass
    with database.sessions() as session:
        assert session.query(Participant).count() == 0
