"""Queries the conversation service needs: participants, runs, answers, inbound, outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    Answer,
    FlowVersion,
    InboundEvent,
    OutboxMessage,
    Participant,
    Run,
    SafetyFlag,
    utcnow,
)
from storage.retention import remove_recording
from storage.turns import ParticipantRow, RunRow

OPEN_STATUSES = ("active", "paused")
# last_seen_at serves retention (counted in days): refreshing it once an hour saves an UPDATE
# on nearly every message.
SEEN_REFRESH = timedelta(hours=1)

# Statements of the inbound path, built once: building one costs more than running it.
_PARTICIPANT_LOCKED = select(Participant).where(Participant.key == bindparam("key")).with_for_update()
_INBOUND_BY_ID = select(InboundEvent).where(
    InboundEvent.channel == bindparam("channel"), InboundEvent.external_id == bindparam("external_id")
)
_OPEN_RUN = (
    select(Run)
    .where(Run.participant_id == bindparam("participant_id"), Run.status.in_(OPEN_STATUSES))
    .order_by(Run.id.desc())
    .limit(1)
)
# The last reply to the participant's own messages: a facilitator's feedback queued in
# between (no inbound event) is not the question their next "1 3" answers.
_LAST_PAYLOAD = (
    select(OutboxMessage.payload)
    .where(OutboxMessage.participant_id == bindparam("participant_id"),
           OutboxMessage.inbound_event_id.is_not(None))
    .order_by(OutboxMessage.id.desc())
    .limit(1)
)
# The open run and the last message sent, in one statement (the participant is locked first).
_OPEN_RUN_AND_PROMPT = (
    select(
        Run,
        select(OutboxMessage.payload)
        .where(OutboxMessage.participant_id == Participant.id,
               OutboxMessage.inbound_event_id.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
        .correlate(Participant)
        .scalar_subquery(),
    )
    .select_from(Participant)
    .outerjoin(Run, and_(Run.participant_id == Participant.id, Run.status.in_(OPEN_STATUSES)))
    .where(Participant.id == bindparam("participant_id"))
    .order_by(Run.id.desc())
    .limit(1)
)
_SAVE_ANSWER: dict[str, Any] = {}
_INSERT_OUTBOX = insert(OutboxMessage.__table__).returning(  # type: ignore[arg-type]
    OutboxMessage.__table__.c.id, sort_by_parameter_order=True
)
_INSERT_INBOUND: dict[str, Any] = {}
_RUNS = Run.__table__
_SAVE_RUN = (
    update(_RUNS)  # type: ignore[arg-type]
    .where(_RUNS.c.id == bindparam("run_id"))
    .values(state=bindparam("state"), status=bindparam("status"),
            updated_at=bindparam("updated_at"), ended_at=bindparam("ended_at"))
)  # fmt: skip


def _insert(session: Session, table: Any) -> Any:
    """Return a dialect-specific INSERT that supports ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def lock_participant(
    session: Session, key: str, channel: str, address_enc: bytes | Callable[[], bytes]
) -> Participant:
    """Get or create a participant and lock its row until the transaction ends.

    `address_enc` may be a function, called only when the participant is new.
    """
    participant = session.scalars(_PARTICIPANT_LOCKED, {"key": key}).one_or_none()
    if participant is None:
        encrypted = address_enc() if callable(address_enc) else address_enc
        stmt = _insert(session, Participant).values(
            key=key, channel=channel, address_enc=encrypted, language="fr", easy=False,
            audio=False, created_at=utcnow(), last_seen_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["key"])  # fmt: skip
        session.execute(stmt)
        participant = session.scalars(_PARTICIPANT_LOCKED, {"key": key}).one()
    now = utcnow()
    seen = participant.last_seen_at
    if seen.tzinfo is None:  # SQLite gives back naive UTC
        seen = seen.replace(tzinfo=UTC)
    if now - seen >= SEEN_REFRESH:
        participant.last_seen_at = now
    return participant


def find_inbound(session: Session, channel: str, external_id: str) -> InboundEvent | None:
    """Return the inbound event already received with this id, if any."""
    return session.scalars(_INBOUND_BY_ID, {"channel": channel, "external_id": external_id}).one_or_none()


def add_inbound(
    session: Session, channel: str, external_id: str, participant_id: int, kind: str
) -> InboundEvent:
    """Record an inbound event (unique per channel and external id)."""
    event = InboundEvent(
        channel=channel, external_id=external_id, participant_id=participant_id, kind=kind
    )
    session.add(event)
    session.flush()
    return event


def record_inbound(
    session: Session, channel: str, external_id: str, participant_id: int, kind: str
) -> int | None:
    """Record an inbound event and return its id; None when this id was already received."""
    dialect = session.get_bind().dialect.name
    stmt = _INSERT_INBOUND.get(dialect)
    if stmt is None:
        stmt = _INSERT_INBOUND[dialect] = (
            _insert(session, InboundEvent.__table__)
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
            .returning(InboundEvent.__table__.c.id)
        )
    values = {"channel": channel, "external_id": external_id, "participant_id": participant_id,
              "kind": kind, "received_at": utcnow()}  # fmt: skip
    return session.execute(stmt, values).scalar()


def replies_of(session: Session, inbound_id: int) -> list[OutboxMessage]:
    """Return the outbox rows written in reply to an inbound event."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.inbound_event_id == inbound_id)
            .order_by(OutboxMessage.id)
        )
    )


def open_run(session: Session, participant_id: int) -> Run | None:
    """Return the participant's run in progress, if any."""
    return session.scalars(_OPEN_RUN, {"participant_id": participant_id}).one_or_none()


def open_run_and_prompt(session: Session, participant_id: int) -> tuple[Run | None, dict[str, Any] | None]:
    """Return the participant's run in progress and the last question sent (see latest_prompt)."""
    row = session.execute(_OPEN_RUN_AND_PROMPT, {"participant_id": participant_id}).one()
    return row[0], _asked(row[1])


def latest_run(session: Session, participant_id: int) -> Run | None:
    """Return the participant's most recent run, whatever its status."""
    return session.scalars(
        select(Run).where(Run.participant_id == participant_id).order_by(Run.id.desc()).limit(1)
    ).one_or_none()


def save_answer(session: Session, run: Run, values: dict[str, Any]) -> None:
    """Save an answer, replacing an earlier answer to the same result in this run (one upsert)."""
    dialect = session.get_bind().dialect.name
    stmt = _SAVE_ANSWER.get(dialect)
    if stmt is None:
        table = Answer.__table__
        insert_answer = _insert(session, table)
        kept = {"id", "run_id", "result"}  # the row keeps its id: re-answering replaces in place
        stmt = _SAVE_ANSWER[dialect] = insert_answer.on_conflict_do_update(
            index_elements=["run_id", "result"],
            set_={c.name: insert_answer.excluded[c.name] for c in table.columns if c.name not in kept},
        )
    session.execute(stmt, {
        "run_id": run.id, "participant_id": run.participant_id, "flow_id": run.flow_id,
        "flow_version": run.flow_version, "channel": run.channel, **values,
    })  # fmt: skip


def delete_run_answers(session: Session, run_id: int) -> None:
    """Delete every answer of a run (consent was refused)."""
    session.execute(delete(Answer).where(Answer.run_id == run_id))


def add_outbox(
    session: Session,
    participant_id: int,
    channel: str,
    payload: dict[str, Any],
    inbound_id: int | None = None,
    segments: int | None = None,
) -> OutboxMessage:
    """Queue one outbound message."""
    row = OutboxMessage(
        participant_id=participant_id,
        inbound_event_id=inbound_id,
        channel=channel,
        payload=payload,
        segments=segments,
    )
    session.add(row)
    session.flush()
    return row


def add_outbox_rows(
    session: Session,
    participant_id: int,
    channel: str,
    payloads: Sequence[dict[str, Any]],
    inbound_id: int | None = None,
    sent_at: datetime | None = None,
    segments: Sequence[int | None] | None = None,
) -> list[int]:
    """Queue outbound messages in one statement and return their ids, in order.

    With sent_at, they went out in the webhook's own reply: stored as sent, never claimed.
    """
    if not payloads:
        return []
    rows = [
        {"participant_id": participant_id, "inbound_event_id": inbound_id, "channel": channel,
         "payload": payload, "segments": segments[i] if segments is not None else None,
         "status": "pending" if sent_at is None else "sent", "sent_at": sent_at,
         "attempts": 0 if sent_at is None else 1, "external_id": None, "error": None,
         "next_attempt_at": None, "claimed_at": sent_at, "via": None if sent_at is None else "reply"}
        for i, payload in enumerate(payloads)
    ]  # fmt: skip
    return list(session.execute(_INSERT_OUTBOX, rows).scalars())


def latest_prompt(session: Session, participant_id: int) -> dict[str, Any] | None:
    """Return the payload of the last message sent to a participant, if it asked something."""
    return _asked(session.scalar(_LAST_PAYLOAD, {"participant_id": participant_id}))


def _asked(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a message payload if it asked something, else None."""
    if not payload or payload.get("expects", "none") == "none":
        return None
    return dict(payload)


def remember_flow(session: Session, flow_id: str, version: int, source: str) -> None:
    """Store a flow version's source once, so runs on it can resume after edits."""
    stmt = _insert(session, FlowVersion).values(
        flow_id=flow_id, version=version, source=source, created_at=utcnow()
    ).on_conflict_do_nothing(index_elements=["flow_id", "version"])  # fmt: skip
    session.execute(stmt)


def flow_source(session: Session, flow_id: str, version: int) -> str | None:
    """Return the stored source of a flow version."""
    return session.scalars(
        select(FlowVersion.source).where(
            FlowVersion.flow_id == flow_id, FlowVersion.version == version
        )
    ).one_or_none()


def erase_participant_data(
    session: Session, participant: Participant | ParticipantRow, recordings: Path | None = None
) -> None:
    """Delete every answer, recording, run, flag and past message of a participant."""
    pid = participant.id
    for ref in session.scalars(
        select(Answer.audio_ref).where(Answer.participant_id == pid, Answer.audio_ref.is_not(None))
    ):
        remove_recording(ref, recordings)
    session.execute(delete(Answer).where(Answer.participant_id == pid))
    session.execute(delete(SafetyFlag).where(SafetyFlag.participant_id == pid))
    session.execute(delete(Run).where(Run.participant_id == pid))
    session.execute(delete(OutboxMessage).where(OutboxMessage.participant_id == pid))
    participant.consent_at = None
    participant.pending_action = None


def save_run(session: Session, run: Run, state: dict[str, Any], status: str, when: datetime) -> None:
    """Write a run's new state in one UPDATE (no unit-of-work flush); the object follows."""
    session.execute(_SAVE_RUN, {"run_id": run.id, "state": state, "status": status,
                                "updated_at": when, "ended_at": run.ended_at})  # fmt: skip
    for name, value in (("state", state), ("status", status), ("updated_at", when),
                        ("ended_at", run.ended_at)):  # fmt: skip
        set_committed_value(run, name, value)


def end_run(run: Run | RunRow, status: str, when: datetime) -> None:
    """Mark a run as ended."""
    run.status = status
    run.ended_at = when
    run.updated_at = when


def last_replies(session: Session, participant_id: int) -> list[OutboxMessage]:
    """Return the messages written in reply to the participant's latest inbound event."""
    latest = session.scalars(
        select(InboundEvent.id)
        .where(InboundEvent.participant_id == participant_id)
        .order_by(InboundEvent.id.desc())
        .limit(1)
    ).one_or_none()
    return [] if latest is None else replies_of(session, latest)


def find_participant(session: Session, key: str) -> Participant | None:
    """Return the participant with this pseudonymous key."""
    return session.scalars(select(Participant).where(Participant.key == key)).one_or_none()
