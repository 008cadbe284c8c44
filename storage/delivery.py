"""Delivery bookkeeping: replies sent inside a webhook response, and platform status reports."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import counted, repo
from storage.models import OutboxMessage, Participant, utcnow

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text
# A status report never moves a row backwards (a late "sent" after "delivered" is ignored).
STATUS_RANK = {
    "pending": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3,
    "read": 4, "cancelled": 5, "unreachable": 5,
}  # fmt: skip


def claim_replies(
    session: Session, ids: Iterable[int], status: str = "sent", segments: Mapping[int, int] | None = None
) -> list[int]:
    """Claim pending rows for a webhook's own reply; return the ids this call claimed.

    "sent" when the reply travels in the HTTP response (TwiML), "sending" when the webhook
    sends it itself next; `segments` records each row's cost in the same statement. A row the
    outbox dispatcher claimed first is left to it, so no message goes out twice.
    """
    claimed = []
    now = utcnow()
    via = "reply" if status == "sent" else "api"
    for row_id in ids:
        values: dict[str, Any] = {"status": status, "attempts": OutboxMessage.attempts + 1,
                                  "claimed_at": now, "via": via}  # fmt: skip
        if status == "sent":
            values["sent_at"] = now
        if segments is not None and row_id in segments:
            values["segments"] = segments[row_id]
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
            .values(**values)
        )
        if getattr(result, "rowcount", 0):
            claimed.append(row_id)
    return claimed


def set_segments(session: Session, segments: Mapping[int, int], external_id: str | None) -> None:
    """Record how many SMS segments each reply cost, and the platform's id for it."""
    for row_id, count in segments.items():
        values: dict[str, Any] = {"segments": count}
        if external_id:
            values["external_id"] = external_id
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def mark_sent(session: Session, segments: Mapping[int, int], external_id: str | None) -> None:
    """Record that claimed rows went out as one SMS, with their cost and the platform's id."""
    set_segments(session, segments, external_id)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(segments)), OutboxMessage.status == "sending")
        .values(status="sent", sent_at=utcnow())
    )


def release(session: Session, ids: Collection[int], error: str, retry_after: float | None) -> None:
    """Give claimed rows back to the outbox dispatcher, to be retried later."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == "sending")
        .values(status="pending", error=error[:255],
                next_attempt_at=utcnow() + timedelta(seconds=retry_after or 60))
    )  # fmt: skip


def record_status(
    session: Session,
    channels: Collection[str],
    status: str,
    external_id: str | None = None,
    outbox_ids: Collection[int] = (),
    error: str | None = None,
    opt_out: bool = False,
) -> int:
    """Apply a delivery report to the rows it names (by outbox id, else by external id)."""
    if external_id is not None and (len(external_id) > 128 or _CONTROL.search(external_id)):
        external_id = None  # no platform's id looks like that: it matches and stores nothing
    error = _CONTROL.sub("", error) if error else error
    query = select(OutboxMessage).where(OutboxMessage.channel.in_(list(channels)))
    if outbox_ids:
        query = query.where(OutboxMessage.id.in_(list(outbox_ids)))
    elif external_id:
        query = query.where(OutboxMessage.external_id == external_id)
    else:
        return 0
    rows = list(session.scalars(query))
    for row in rows:
        if external_id and not row.external_id:
            row.external_id = external_id
        if STATUS_RANK.get(status, -1) >= STATUS_RANK.get(row.status, 0):
            row.status = status
            if error:
                row.error = error[:255]
        if opt_out:
            participant = session.get(Participant, row.participant_id)
            if participant is not None and participant.opted_out_at is None:
                participant.opted_out_at = utcnow()
    return len(rows)


def latest_prompt(session: Session, key: str) -> dict[str, Any] | None:
    """Return the payload of the last message sent to a participant, if it asked something."""
    participant_id = session.scalar(select(Participant.id).where(Participant.key == key))
    return None if participant_id is None else repo.latest_prompt(session, participant_id)


def where_is(session: Session, key: str) -> str:
    """Say where the person with this key stands: "running", "finished" (kept answers) or "new"."""
    participant_id = session.scalar(select(Participant.id).where(Participant.key == key))
    if participant_id is None:
        return "new"
    if repo.open_run(session, participant_id) is not None:
        return "running"
    return "finished" if counted.has_finished(session, participant_id) else "new"
