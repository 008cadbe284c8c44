"""Queries the conversation service needs: participants, runs, answers, inbound, outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from storage import round_two
from storage.models import (
    Answer,
    FlowVersion,
    InboundEvent,
    OutboxMessage,
    Participant,
    Run,
    SafetyFlag,
)
from storage.retention import recordings_of, remote_recordings, remove_recording
from storage.turns import OPEN_STATUSES, ParticipantRow, asked

# The statements the service still runs through the ORM, built once.
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
# between (no inbound event) is not the question their next "1 3" answers (the inbound path
# reads it with storage.turns.TurnStore.last_prompt).
_LAST_PAYLOAD = (
    select(OutboxMessage.payload)
    .where(OutboxMessage.participant_id == bindparam("participant_id"),
           OutboxMessage.inbound_event_id.is_not(None))
    .order_by(OutboxMessage.id.desc())
    .limit(1)
)  # fmt: skip


def find_inbound(session: Session, channel: str, external_id: str) -> InboundEvent | None:
    """Return the inbound event already received with this id, if any."""
    return session.scalars(_INBOUND_BY_ID, {"channel": channel, "external_id": external_id}).one_or_none()


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


def delete_run_answers(session: Session, run_id: int) -> None:
    """Delete every answer of a run (consent was refused)."""
    session.execute(delete(Answer).where(Answer.run_id == run_id))


def latest_prompt(session: Session, participant_id: int) -> dict[str, Any] | None:
    """Return the payload of the last message sent to a participant, if it asked something."""
    return asked(session.scalar(_LAST_PAYLOAD, {"participant_id": participant_id}))


def flow_source(session: Session, flow_id: str, version: int) -> str | None:
    """Return the stored source of a flow version."""
    return session.scalars(
        select(FlowVersion.source).where(FlowVersion.flow_id == flow_id, FlowVersion.version == version)
    ).one_or_none()


def erase_participant_data(
    session: Session, participant: Participant | ParticipantRow, recordings: Path | None = None
) -> list[str]:
    """Delete every answer, recording, run, flag and past message of a participant.

    Return the recordings kept elsewhere (URLs at Twilio, and deletions already queued, whose
    outbox rows go too): the caller has them deleted where they live.
    """
    pid = participant.id
    refs = recordings_of(session, [pid])
    for ref in refs:
        remove_recording(ref, recordings)
    session.execute(delete(Answer).where(Answer.participant_id == pid))
    round_two.erase(session, pid)
    session.execute(delete(SafetyFlag).where(SafetyFlag.participant_id == pid))
    session.execute(delete(Run).where(Run.participant_id == pid))
    session.execute(delete(OutboxMessage).where(OutboxMessage.participant_id == pid))
    participant.consent_at = None
    participant.pending_action = None
    return remote_recordings(refs)


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
