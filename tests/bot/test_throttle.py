"""Throttling: one flooding address is slowed, then refused; another goes straight through."""

from __future__ import annotations

import asyncio
import time

from bot.throttle import Throttle


def test_burst_then_rate() -> None:
    throttle = Throttle(rate=5, burst=10, max_wait=10)
    waits = [throttle.reserve("flood", now=100.0) for _ in range(12)]
    assert waits[:10] == [0.0] * 10
    assert waits[10] == 0.2 and waits[11] == 0.4  # queued behind each other, 5 per second
    assert throttle.reserve("calm", now=100.0) == 0.0


def test_refuses_beyond_max_wait_and_recovers() -> None:
    throttle = Throttle(rate=10, burst=5, max_wait=1)
    results = [throttle.reserve("flood", now=0.0) for _ in range(30)]
    assert None in results
    assert throttle.reserve("flood", now=10.0) == 0.0


async def test_a_flood_of_100_per_second_is_slowed_and_others_are_not() -> None:
    throttle = Throttle(rate=5, burst=10, max_wait=2)
    started = time.monotonic()
    flood = [asyncio.create_task(throttle.admit("+33600000001")) for _ in range(100)]
    await asyncio.sleep(0)
    calm_started = time.monotonic()
    assert await throttle.admit("+33600000002") is True
    calm_latency = time.monotonic() - calm_started
    admitted = await asyncio.gather(*flood)
    elapsed = time.monotonic() - started
    assert calm_latency < 0.5
    assert sum(admitted) == 10 + 10  # the burst, then 2 seconds' worth at 5 per second
    assert admitted.count(False) == 80
    assert elapsed >= 1.5
