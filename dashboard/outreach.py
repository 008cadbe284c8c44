"""Messages to participants (invitations, feedback) written to the outbox, in their register."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.base import OutboundMessage
from storage.models import OutboxMessage, Participant

log = logging.getLogger(__name__)
STATUS_LABELS = {
    "pending": "En attente d'envoi",
    "sending": "En cours d'envoi",
    "sent": "Envoyés",
    "delivered": "Reçus",
    "failed": "Échecs",
    "cancelled": "Annulés (la personne a arrêté)",
}


def queue(
    session: Session, participant_ids: Iterable[int], text: str, easy: str, extra: dict[str, Any]
) -> dict[int, int]:
    """Write one outbox message per reachable participant; return participant id -> outbox id."""
    people = session.scalars(
        select(Participant).where(
            Participant.id.in_(list(participant_ids)), Participant.opted_out_at.is_(None)
        )
    )
    queued: dict[int, int] = {}
    for person in people:
        body = easy if person.easy else text
        message = OutboundMessage(
            text=body,
            spoken=body,
            role="info",
            easy=person.easy,
            audio=person.audio,
            lang=person.language,
            extra=extra,
        )
        row = OutboxMessage(participant_id=person.id, channel=person.channel,
                            payload=message.to_payload(), status="pending")  # fmt: skip
        session.add(row)
        session.flush()
        queued[person.id] = row.id
    return queued


async def dispatch(services: Any, outbox_ids: list[int]) -> None:
    """Ask the container's dispatcher to send now (the dispatch loop retries what remains)."""
    dispatcher = getattr(services, "dispatcher", None)
    if dispatcher is None or not outbox_ids:
        return
    try:
        await dispatcher.dispatch(outbox_ids)
    except Exception:  # the rows stay pending; the dispatcher's loop sends them later
        log.exception("dispatch of %d dashboard messages failed; they stay pending", len(outbox_ids))


def progress(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Return delivery counts with French labels, in a stable order."""
    order = list(STATUS_LABELS) + sorted(set(counts) - set(STATUS_LABELS))
    return [(STATUS_LABELS.get(s, s), counts[s]) for s in order if s in counts]
