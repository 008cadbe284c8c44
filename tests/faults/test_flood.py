"""A flood from one number over HTTP: it is slowed, then refused (429); other numbers are not."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import InboundEvent
from tests.faults.journeys import expected_runs, journey, number, stored
from tests.faults.platforms import Delivery, TwilioSender
from tests.faults.server import Server, sqlite_url

RATE, BURST, MAX_WAIT = 5, 10, 2  # config.yml throttle: per participant
FLOOD_PER_SECOND, FLOOD_SECONDS, CALM = 100, 3, 5


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path, sqlite_url(tmp_path), config={"throttle": {
        "messages_per_second": RATE, "burst": BURST, "max_wait_seconds": MAX_WAIT}})  # fmt: skip
    running.start()
    yield running
    running.stop()


async def timed(sender: TwilioSender, address: str, body: str) -> tuple[Delivery, float, float]:
    """Send one SMS; return it with its latency and when its answer came (both monotonic)."""
    started = time.monotonic()
    delivery = await sender.sms(address, body)
    return delivery, time.monotonic() - started, time.monotonic()


async def test_a_flood_of_100_per_second_is_slowed_and_other_numbers_are_not(server: Server) -> None:
    flooder = number(900)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=500)) as http:
        sender = TwilioSender(server.url, http, sid_prefix="SMf")
        started = time.monotonic()

        async def flood() -> list[tuple[Delivery, float, float]]:
            tasks = []
            for i in range(FLOOD_PER_SECOND * FLOOD_SECONDS):  # open loop: 100 per second
                await asyncio.sleep(max(0.0, started + i / FLOOD_PER_SECOND - time.monotonic()))
                tasks.append(asyncio.create_task(timed(sender, flooder, "répète")))
            return await asyncio.gather(*tasks)

        async def calm(n: int) -> list[tuple[Delivery, float, float]]:
            await asyncio.sleep(0.5)  # the flood is already being slowed
            return [await timed(sender, number(n), body) for body in journey(n, 0)]

        flooded, *others = await asyncio.gather(flood(), *(calm(n) for n in range(CALM)))
    statuses = [d.status for d, _, _ in flooded]
    admitted = [(latency, at) for d, latency, at in flooded if d.status == 200]
    slowed = [latency for latency, _ in admitted[BURST:]]
    calm_latency = [latency for run in others for _, latency, _ in run]
    print(f"\nflood: {len(statuses)} sent at {FLOOD_PER_SECOND}/s, {len(admitted)} answered (200), "
          f"{statuses.count(429)} refused (429); answered after the burst waited median "
          f"{statistics.median(slowed):.2f} s, max {max(slowed):.2f} s; other numbers: "
          f"{len(calm_latency)} answered, median {statistics.median(calm_latency) * 1000:.0f} ms, "
          f"max {max(calm_latency) * 1000:.0f} ms")  # fmt: skip
    assert set(statuses) == {200, 429}
    # Slowed: past the burst, no faster than RATE per second (a token bucket's promise)...
    last = max(at for _, at in admitted)
    assert BURST < len(admitted) <= BURST + RATE * (last - started) + 1
    assert statuses.count(429) > len(statuses) / 2  # ... then refused
    # The flood's messages waited their turn; the other numbers' did not.
    assert statistics.median(slowed) > 3 * statistics.median(calm_latency)
    # The others: every message answered, all of them while the flood was still being slowed.
    assert all(d.status == 200 for run in others for d, _, _ in run)
    assert max(at for run in others for _, _, at in run) < max(at for _, at in admitted)
    db = Database(server.database_url)
    for n in range(CALM):
        assert [a for s, a in stored(db, number(n)).runs if s == "completed"] == expected_runs(n, 8)
    with db.sessions() as session:  # a refused message leaves nothing behind
        flood_sids = {d.sid for d, _, _ in flooded}
        kept = set(session.scalars(select(InboundEvent.external_id))) & flood_sids
    assert kept == {d.sid for d, _, _ in flooded if d.status == 200}
    db.dispose()
