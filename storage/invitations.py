"""Replies outside a run: an answer to an invitation, and a person who already finished."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.counted import COMPLETED
from storage.models import OutboxMessage, Run
from storage.retention import RECORDING_DELETION

# The messages that invite an answer (the outbox payload's extra "kind").
INVITATIONS = ("panel_invitation", "feedback")
YES, NO = "oui", "non"


def open_invitation(session: Session, participant_id: int) -> OutboxMessage | None:
    """Return the invitation a message answers: the last message the person got, not answered yet."""
    last = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.participant_id == participant_id, OutboxMessage.channel != RECORDING_DELETION)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None or last.reply is not None:
        return None
    return last if (last.payload.get("extra") or {}).get("kind") in INVITATIONS else None


def has_finished(session: Session, participant_id: int) -> bool:
    """Say whether the person finished a questionnaire (and kept the run)."""
    query = select(exists().where(Run.participant_id == participant_id, Run.status == COMPLETED))
    return bool(session.scalar(query))


def replies(session: Session, outbox_ids: Iterable[int]) -> dict[int, str | None]:
    """Return outbox id -> the reply given to it (None: no reply)."""
    ids = list(outbox_ids)
    if not ids:
        return {}
    query = select(OutboxMessage.id, OutboxMessage.reply).where(OutboxMessage.id.in_(ids))
    return {row_id: reply for row_id, reply in session.execute(query)}
