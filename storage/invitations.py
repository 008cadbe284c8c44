"""Replies outside a run: a yes or a no to the invitation a person last received."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage
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

