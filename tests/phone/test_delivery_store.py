"""Delivery bookkeeping on SQLite and PostgreSQL: claims, status reports, the last question."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from storage import delivery
from storage.db import Database
from storage.models import OutboxMessage, Participant
from storage.turns import turn

QUESTION = OutboundMessage(text="Oui ?", step="q", expects="choice",
                           buttons=(ButtonView("oui", "Oui", "✅"),))  # fmt: skip


def rows(db: Database, *payloads: OutboundMessage, key: str = "k1", reply: bool = True) -> list[int]:
    """Queue outbox rows for one participant: replies to a message of theirs, or not (feedback)."""
    with turn(db) as store:
        participant = store.lock_participant(key, "sms", lambda: b"encrypted")
        inbound = None
        if reply:
            count = store.session.query(OutboxMessage).count()
            inbound = store.record_inbound("sms", f"SM{key}{count}", participant.id, "text")
        return store.add_outbox_rows(participant.id, "sms", [p.to_payload() for p in payloads], inbound)


def status(db: Database, row_id: int) -> str:
    with db.sessions() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return row.status


def test_a_row_the_dispatcher_claimed_first_is_not_claimed_again(database: Database) -> None:
    first, second = rows(database, OutboundMessage(text="a"), OutboundMessage(text="b"))
    with database.transaction() as session:
        session.get(OutboxMessage, first).status = "sending"  # type: ignore[union-attr]
    with database.transaction() as session:
        assert delivery.claim_replies(session, [first, second]) == [second]
    with database.transaction() as session:
        assert delivery.claim_replies(session, [second]) == []
    assert (status(database, first), status(database, second)) == ("sending", "sent")


def test_claimed_rows_are_finished_or_given_back(database: Database) -> None:
    first, second = rows(database, OutboundMessage(text="a"), OutboundMessage(text="b"))
    with database.transaction() as session:
        delivery.claim_replies(session, [first, second], status="sending")
        delivery.mark_sent(session, {first: 2}, "gw7")
        delivery.release(session, [second], "gateway 503", 30)
    with database.sessions() as session:
        done, back = session.get(OutboxMessage, first), session.get(OutboxMessage, second)
        assert done is not None and back is not None
        assert (done.status, done.segments, done.external_id) == ("sent", 2, "gw7")
        assert (back.status, back.error) == ("pending", "gateway 503")
        assert back.next_attempt_at is not None


def test_status_reports_never_move_a_row_backwards(database: Database) -> None:
    [row] = rows(database, OutboundMessage(text="a"))
    with database.transaction() as session:
        delivery.claim_replies(session, [row])
        assert delivery.record_status(session, ["sms"], "delivered", "SM1", [row]) == 1
        delivery.record_status(session, ["sms"], "sent", "SM1")
        assert delivery.record_status(session, ["voice"], "failed", "SM1") == 0
    assert status(database, row) == "delivered"
    with database.transaction() as session:
        delivery.record_status(session, ["sms"], "failed", "SM1", error="twilio code 21610", opt_out=True)
    assert status(database, row) == "failed"
    with database.sessions() as session:
        assert session.query(Participant).one().opted_out_at is not None


def test_the_last_question_is_found_only_while_it_is_the_last_message(database: Database) -> None:
    rows(database, QUESTION)
    with database.sessions() as session:
        prompt = delivery.latest_prompt(session, "k1")
        assert prompt is not None and prompt["step"] == "q"
        assert delivery.latest_prompt(session, "someone-else") is None
    rows(database, OutboundMessage(text="Voici ce qui a été décidé."), reply=False)  # feedback
    with database.sessions() as session:  # a "1" still answers the question
        assert delivery.latest_prompt(session, "k1") == prompt
    rows(database, OutboundMessage(text="Merci !"))
    with database.sessions() as session:
        assert delivery.latest_prompt(session, "k1") is None
        assert delivery.where_is(session, "k1") != "running"
