"""Deliver outbox rows through their channels, after the transaction that wrote them.

Delivery is at least once, and exactly once short of one window. A row is claimed ("sending",
with claimed_at and its attempt number) in one transaction, sent, then recorded in another.
A process that dies between the claim and the record leaves the row "sending": after the lease
it goes back to "pending" and is sent again, unless the platform's status report (which names
the row: see OutboundMessage.extra["outbox_id"]) said it went out. So a message is sent twice
only when the process dies after the platform accepted it and before both our record and the
platform's report: the platforms we use (Twilio, the Android gateway) take no idempotency key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import and_, or_, select, update

from bot.channels.base import Channel, OutboundMessage, SendResult
from storage.db import Database
from storage.models import OutboxMessage, Participant, utcnow
from storage.privacy import Crypto

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_BATCH = 50
DONE = ("sent", "delivered", "undelivered", "failed", "read", "cancelled")


@dataclass(frozen=True)
class Claim:
    """One row taken for sending: what to send, and the attempt that owns it."""

    row_id: int
    channel: str
    address: str
    payload: dict[str, Any]
    attempt: int

    def message(self) -> OutboundMessage:
        """Return the message, carrying its row id for the platform's status reports."""
        message = OutboundMessage.from_payload(self.payload)
        return replace(message, extra={**message.extra, "outbox_id": self.row_id})


class Dispatcher:
    """Send pending outbox rows; each row is claimed once per attempt, so it is sent once."""

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        channels: dict[str, Channel],
        lease: timedelta = timedelta(minutes=5),
        grace: timedelta = timedelta(seconds=15),
        poll: float = 2.0,
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.channels = channels
        self.lease = lease
        self.grace = grace
        self.poll = poll

    def _claim(self, ids: Iterable[int] | None, settled: timedelta = timedelta(0)) -> list[Claim]:
        """Mark due pending rows as sending (rows younger than `settled` are left alone)."""
        now = utcnow()
        with self.db.transaction() as session:
            query = (
                select(OutboxMessage, Participant)
                .join(Participant, Participant.id == OutboxMessage.participant_id)
                .where(OutboxMessage.status == "pending")
                .where(or_(OutboxMessage.next_attempt_at.is_(None),
                           OutboxMessage.next_attempt_at <= now))  # fmt: skip
                .order_by(OutboxMessage.id)
                .limit(CLAIM_BATCH)
            )
            if ids is not None:
                query = query.where(OutboxMessage.id.in_(list(ids)))
            if settled:
                query = query.where(OutboxMessage.created_at <= now - settled)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True, of=OutboxMessage)
            claimed = []
            for row, participant in session.execute(query).all():
                if participant.opted_out_at is not None and row.payload.get("role") != "system":
                    row.status = "cancelled"
                    continue
                row.status, row.claimed_at, row.via = "sending", now, "api"
                row.attempts += 1
                address = self.crypto.decrypt(participant.address_enc)
                claimed.append(Claim(row.id, row.channel, address, row.payload, row.attempts))
            return claimed

    def _record(self, claim: Claim, result: SendResult) -> None:
        """Store what the platform said about one send, unless another attempt owns the row."""
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, claim.row_id, with_for_update=True)
            if row is None:
                return
            if row.attempts != claim.attempt:
                if result.ok:
                    log.warning("outbox %s was sent by two attempts (lease too short?)", row.id)
                return
            if result.ok:
                if row.status in ("pending", "sending"):
                    row.status, row.sent_at = "sent", utcnow()
                row.external_id = row.external_id or result.external_id
                row.segments = result.segments or row.segments
                return
            if row.status in DONE:  # a status report settled it while we waited
                return
            row.error = (result.error or "send failed")[:255]
            if result.blocked:
                row.status = "failed"
                session.execute(
                    update(Participant)
                    .where(Participant.id == row.participant_id)
                    .values(opted_out_at=utcnow())
                )
            elif row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                delay = result.retry_after or min(2**row.attempts, 300)
                row.status = "pending"
                row.next_attempt_at = utcnow() + timedelta(seconds=delay)

    async def _send(self, claim: Claim) -> SendResult:
        """Send one claimed row through its channel; a channel's bug is a failed send."""
        channel = self.channels.get(claim.channel)
        if channel is None:
            return SendResult(ok=False, error=f"no channel {claim.channel}")
        try:
            return await channel.send(claim.address, claim.message())
        except Exception as exc:  # a channel bug must not lose the row
            log.exception("channel %s failed to send outbox %s", claim.channel, claim.row_id)
            return SendResult(ok=False, error=type(exc).__name__)

    async def dispatch(self, ids: Iterable[int] | None = None, settled: timedelta = timedelta(0)) -> int:
        """Send the given pending rows (or every due row); return how many were sent."""
        claimed = await anyio.to_thread.run_sync(self._claim, ids, settled)
        sent = 0
        for claim in claimed:
            result = await self._send(claim)
            await anyio.to_thread.run_sync(self._record, claim, result)
            sent += int(result.ok)
        return sent

    def requeue_stale(self, lease: timedelta | None = None) -> int:
        """Put rows claimed longer than the lease ago back in the queue (their sender died)."""
        cutoff = utcnow() - (self.lease if lease is None else lease)
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending")
                .where(or_(OutboxMessage.claimed_at < cutoff,
                           and_(OutboxMessage.claimed_at.is_(None),
                                OutboxMessage.created_at < cutoff)))  # fmt: skip
                .values(status="pending", next_attempt_at=None)
            )
            count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("requeued %d outbox rows whose sender stopped mid-send", count)
        return count

    async def run_forever(self, interval: float | None = None) -> None:
        """Repair loop: send whatever is due and settled, forever (cancelled on shutdown).

        Rows younger than the grace are left to the webhook that wrote them, which answers
        them inline (TwiML) or sends them itself; the loop picks up what a crash left behind.
        """
        while True:
            try:
                await anyio.to_thread.run_sync(self.requeue_stale)
                while await self.dispatch(settled=self.grace) > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox loop error")
            await asyncio.sleep(self.poll if interval is None else interval)
