"""The outbox under concurrency and crashes: several dispatchers, stale claims, late reports."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.channels.base import OutboundMessage, SendResult
from bot.outbox import Dispatcher
from storage import delivery
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from storage.privacy import Crypto
from storage.turns import turn
from tests.conftest import TEST_SECRET

ROWS = 300


class RecordingChannel:
    """A channel that records every send (and dedupes nothing), taking a little time."""

    def __init__(self, delay: float = 0.002) -> None:
        self.delay = delay
        self.sends: list[int] = []

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        await asyncio.sleep(self.delay)
        self.sends.append(int(message.extra["outbox_id"]))
        return SendResult(ok=True, external_id=f"ext{message.extra['outbox_id']}")


def queue(db: Database, crypto: Crypto, count: int, age: timedelta = timedelta(0)) -> list[int]:
    """Queue `count` messages for a few participants, written `age` ago."""
    ids = []
    with turn(db) as store:
        for n in range(count):
            address = f"+3361{n % 7:07d}"
            participant = store.lock_participant(
                crypto.participant_key("sms", address), "sms", lambda a=address: crypto.encrypt(a)
            )
            ids += store.add_outbox_rows(participant.id, "sms", [OutboundMessage(f"m{n}").to_payload()])
        store.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(created_at=utcnow() - age)
        )
    return ids


def statuses(db: Database) -> Counter[str]:
    with db.sessions() as session:
        return Counter(dict(session.execute(  # type: ignore[arg-type]
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))


async def test_several_dispatchers_send_each_row_once(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    # Rows written 10 minutes ago (retries of old messages): the old requeue, which went by
    # created_at, took them back from under the dispatcher sending them.
    ids = queue(database, crypto, ROWS, age=timedelta(minutes=10))
    channel = RecordingChannel()
    dispatchers = [Dispatcher(database, crypto, {"sms": channel}, grace=timedelta(0)) for _ in range(3)]
    loops = [asyncio.create_task(d.run_forever(interval=0.01)) for d in dispatchers]
    try:
        for _ in range(600):
            if statuses(database)["sent"] == ROWS:
                break
            await asyncio.sleep(0.05)
    finally:
        for loop in loops:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
    assert statuses(database) == Counter({"sent": ROWS})
    assert sorted(channel.sends) == ids  # each row exactly once, none missing


async def test_a_row_claimed_by_a_dead_sender_is_sent_again_after_the_lease(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    [dead, alive] = queue(database, crypto, 2, age=timedelta(hours=1))
    channel = RecordingChannel()
    dispatcher = Dispatcher(database, crypto, {"sms": channel}, lease=timedelta(minutes=5))
    claims = dispatcher._claim([dead, alive])  # both taken; then the process "dies"
    with database.transaction() as session:  # ... the dead one 6 minutes ago, the other now
        session.execute(update(OutboxMessage).where(OutboxMessage.id == dead)
                        .values(claimed_at=utcnow() - timedelta(minutes=6)))  # fmt: skip
    assert dispatcher.requeue_stale() == 1  # only the one past its lease
    assert await dispatcher.dispatch() == 1
    assert channel.sends == [dead]
    # The live sender finishes: its record stands, and nothing is sent twice.
    alive_claim = next(c for c in claims if c.row_id == alive)
    dispatcher._record(alive_claim, SendResult(ok=True, external_id="late"))
    assert statuses(database) == Counter({"sent": 2})


async def test_a_stale_sender_does_not_overwrite_the_attempt_that_replaced_it(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    [row] = queue(database, crypto, 1)
    dispatcher = Dispatcher(database, crypto, {"sms": RecordingChannel()})
    [first] = dispatcher._claim(None)
    dispatcher.requeue_stale(lease=timedelta(seconds=-1))  # its lease ran out
    [second] = dispatcher._claim(None)
    assert second.attempt == first.attempt + 1
    dispatcher._record(second, SendResult(ok=True, external_id="second"))
    dispatcher._record(first, SendResult(ok=False, error="timeout", retry_after=1))
    with database.sessions() as session:
        stored = session.get(OutboxMessage, row)
        assert stored is not None and (stored.status, stored.external_id) == ("sent", "second")


async def test_a_status_report_before_the_record_is_not_undone(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    [row] = queue(database, crypto, 1)
    dispatcher = Dispatcher(database, crypto, {"sms": RecordingChannel()})
    [claim] = dispatcher._claim(None)
    with database.transaction() as session:  # Twilio's callback beats our own record
        delivery.record_status(session, ("sms",), "delivered", "SMx", [row])
    dispatcher._record(claim, SendResult(ok=True, external_id="SMx", segments=1))
    with database.sessions() as session:
        stored = session.get(OutboxMessage, row)
        assert stored is not None and (stored.status, stored.segments) == ("delivered", 1)


async def test_the_repair_loop_leaves_fresh_rows_to_their_webhook(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    [fresh] = queue(database, crypto, 1)
    [old] = queue(database, crypto, 1, age=timedelta(seconds=30))
    channel = RecordingChannel()
    dispatcher = Dispatcher(database, crypto, {"sms": channel}, grace=timedelta(seconds=15))
    assert await dispatcher.dispatch(settled=dispatcher.grace) == 1
    assert channel.sends == [old]
    with database.transaction() as session:  # the webhook answers its own row inline
        assert delivery.claim_replies(session, [fresh]) == [fresh]
    assert statuses(database) == Counter({"sent": 2})
