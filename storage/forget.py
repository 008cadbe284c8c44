"""The last step of an erasure asked in the conversation: forget the person entirely.

The confirmation ("your data is erased") still has to reach them, so their row (address and
key) stays, marked ERASED, until that message is out; then it goes with their inbound
records and every message to them. A webhook that answers inline forgets at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, Participant
from storage.retention import erase

ERASED = "erased"  # participants.pending_action of a person who erased their data
UNSENT = ("pending", "sending")


def _settled() -> ColumnElement[bool]:
    """Say that a participant has no message left to send (a Twilio deletion counts)."""
    return ~exists().where(OutboxMessage.participant_id == Participant.id,
                           OutboxMessage.status.in_(UNSENT))  # fmt: skip


def forget_if_settled(session: Session, participant_id: int) -> bool:
    """Forget an erased participant now when nothing is left to send them; say if done."""
    person = session.scalars(
        select(Participant).where(Participant.id == participant_id, _settled())
    ).one_or_none()
    if person is None:
        return False
    erase(session, person)
    return True


def sweep_erased(session: Session, before: datetime | None = None) -> int:
    """Forget the people who erased their data before `before` and were sent everything
    (everyone who erased their data, sent or not, without `before`: an admin's erasure)."""
    query = select(Participant).where(Participant.pending_action == ERASED)
    if before is not None:
        query = query.where(Participant.last_seen_at < before, _settled())
    # Locked (and the condition read again) first: someone writing back right now is skipped.
    people = list(session.scalars(query.with_for_update(skip_locked=True)))
    for person in people:
        erase(session, person)
    return len(people)
