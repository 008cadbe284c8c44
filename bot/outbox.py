"""Deliver outbox rows through their channels, after the transaction that wrote them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import or_, select, update

from bot.channels.base import Channel, OutboundMessage, SendResult
from storage.db import Database
from storage.models import OutboxMessage, Participant, utcnow
from storage.privacy import Crypto

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_BATCH = 50


class Dispatcher:
    """Send pending outbox rows; each row is claimed once, so it is sent once."""

    def __init__(
        self,
        db: Database,
        crypto: Crypto,
        channels: dict[str, Channel],
        audio: Any = None,
    ) -> None:
        self.db = db
        self.crypto = crypto
        self.channels = channels
        self.audio = audio

    def _claim(self, ids: Iterable[int] | None) -> list[tuple[int, str, str, dict[str, Any]]]:
        """Mark pending rows as sending and return (id, channel, address, payload)."""
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
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True, of=OutboxMessage)
            claimed = []
            for row, participant in session.execute(query).all():
                if participant.opted_out_at is not None and row.payload.get("role") != "system":
                    row.status = "cancelled"
                    continue
                row.status = "sending"
                row.attempts += 1
                address = self.crypto.decrypt(participant.address_enc)
                claimed.append((row.id, row.channel, address, row.payload))
            return claimed

    def _record(self, row_id: int, result: SendResult, participant_id: int | None = None) -> None:
        """Store what the platform said about one send."""
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            if result.ok:
                row.status, row.sent_at = "sent", utcnow()
                row.external_id = result.external_id
                row.segments = result.segments or row.segments
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

    async def dispatch(self, ids: Iterable[int] | None = None) -> int:
        """Send the given pending rows (or every due row); return how many were sent."""
        claimed = await anyio.to_thread.run_sync(self._claim, ids)
        sent = 0
        for row_id, channel_name, address, payload in claimed:
            channel = self.channels.get(channel_name)
            if channel is None:
                result = SendResult(ok=False, error=f"no channel {channel_name}")
            else:
                try:
                    result = await channel.send(address, OutboundMessage.from_payload(payload))
                except Exception as exc:  # a channel bug must not lose the row
                    log.exception("channel %s failed to send outbox %s", channel_name, row_id)
                    result = SendResult(ok=False, error=type(exc).__name__)
            await anyio.to_thread.run_sync(self._record, row_id, result)
            sent += int(result.ok)
        return sent

    def requeue_stale(self, older_than: timedelta = timedelta(minutes=5)) -> int:
        """Put rows stuck in 'sending' (a crash mid-send) back in the queue."""
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending")
                .where(OutboxMessage.created_at < utcnow() - older_than)
                .values(status="pending")
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def run_forever(self, interval: float = 2.0) -> None:
        """Repair loop: send whatever is due, forever (cancelled on shutdown)."""
        while True:
            try:
                await anyio.to_thread.run_sync(self.requeue_stale)
                while await self.dispatch() > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox loop error")
            await asyncio.sleep(interval)
