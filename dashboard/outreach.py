"""Messages to participants (invitations, feedback) written to the outbox, in their register."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.base import OutboundMessage
from dashboard import labels
from dashboard.reach import block_of, sender_for
from storage import feedback
from storage.models import OutboxMessage, Participant

log = logging.getLogger(__name__)
STATUS_LABELS = {
    "pending": "En attente d'envoi",
    "sending": "En cours d'envoi",
    "sent": "Envoyés (acceptés par la plateforme)",
    "delivered": "Reçus",
    "failed": "Échecs",
    "cancelled": "Annulés (la personne a arrêté)",
    "unreachable": "Impossibles à envoyer",
}
UNREACHABLE = "unreachable"  # a status the dispatcher never claims: the channel cannot send it


def queue(
    session: Session, participant_ids: Iterable[int], text: str, easy: str, extra: dict[str, Any],
    services: Any = None,
) -> dict[int, int]:
    """Write one outbox message per participant who did not stop; return participant id -> outbox id.

    With the services, each message goes through the sender that can reach the person (a
    number left at the kiosk: SMS); one that no channel can send is stored as impossible to
    send, with the reason, and never handed to a sender.
    """

    def shape(channel: str, person: Participant) -> OutboundMessage:
        body = easy if person.easy else text
        return OutboundMessage(text=body, spoken=body, role="info", easy=person.easy, audio=person.audio,
                               lang=person.language, extra=extra)  # fmt: skip

    return queue_shaped(session, participant_ids, shape, services)


def queue_shaped(
    session: Session, participant_ids: Iterable[int], shape: Callable[[str, Participant], OutboundMessage],
    services: Any = None,
) -> dict[int, int]:
    """Write one outbox message per participant who did not stop, shaped for the channel that sends it."""
    people = session.scalars(
        select(Participant).where(
            Participant.id.in_(list(participant_ids)), Participant.opted_out_at.is_(None)
        )
    )
    queued: dict[int, int] = {}
    for person in people:
        channel = person.channel if services is None else sender_for(services, person)
        block = None if services is None else block_of(services, channel)
        reason = block.reason if block is not None and block.never else None
        row = OutboxMessage(participant_id=person.id, channel=channel,
                            payload=shape(channel, person).to_payload(),
                            status=UNREACHABLE if reason else "pending", error=reason)  # fmt: skip
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


def asking_for_news(session: Session, config: Any) -> list[int]:
    """Return the ids of the people who asked for news (the dashboard's follow-up question)."""
    return feedback.followers(session, config.profile_flow, config.followup_result, config.yes_key)


def delivery(services: Any, counts: Mapping[tuple[str, str, str], int]) -> dict[str, Any]:
    """Return a campaign's delivery counts, by state (with reasons) and by channel."""
    return {"delivery": progress(services, counts), "channels": by_channel(counts)}


def progress(services: Any, counts: Mapping[tuple[str, str, str], int]) -> list[tuple[str, int]]:
    """Return delivery counts with French labels and, for what waits or cannot go, the reason."""
    order = list(STATUS_LABELS)
    lines: dict[str, int] = {}
    for (status, channel, error), n in sorted(counts.items(), key=lambda c: (_rank(order, c[0][0]), c[0])):
        label = _label(services, status, channel, error)
        lines[label] = lines.get(label, 0) + n
    return list(lines.items())


def _label(services: Any, status: str, channel: str, error: str) -> str:
    """Name a delivery state; a waiting message says why it waits."""
    label = STATUS_LABELS.get(status, status)
    if status == "pending":
        block = block_of(services, channel)
        if block is not None:
            return f"En attente : {block.reason}"
        return f"En attente : nouvel essai prévu après une erreur ({error})" if error else label
    return f"{label} : {error}" if status == UNREACHABLE and error else label


def _rank(order: list[str], status: str) -> int:
    """Place a status in the table's order (unknown ones last)."""
    return order.index(status) if status in order else len(order)


SHORT_STATUS = {
    "pending": "En attente", "sending": "En cours", "sent": "Envoyés", "delivered": "Reçus",
    "failed": "Échecs", "cancelled": "Annulés", "unreachable": "Impossibles",
}  # fmt: skip


@dataclass(frozen=True)
class ChannelTable:
    """Delivery counts per channel (rows) and status (columns), with French labels."""

    columns: list[str]  # the status labels, in the table's order (only those that occur)
    rows: list[tuple[str, list[int], int]]  # channel label, a count per column, the row's total


def by_channel(counts: Mapping[tuple[str, str, str], int]) -> ChannelTable:
    """Cross a campaign's delivery counts by channel and status."""
    order = list(STATUS_LABELS)
    statuses = sorted({status for status, _c, _e in counts}, key=lambda s: (_rank(order, s), s))
    cells: dict[str, dict[str, int]] = {}
    for (status, channel, _error), n in counts.items():
        row = cells.setdefault(channel, {})
        row[status] = row.get(status, 0) + n
    rows = [(labels.channel(channel), [row.get(s, 0) for s in statuses], sum(row.values()))
            for channel, row in sorted(cells.items())]  # fmt: skip
    return ChannelTable([SHORT_STATUS.get(s, s) for s in statuses], rows)
