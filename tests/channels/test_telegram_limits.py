"""Send pacing: a short burst per chat, then about 1 a second; about 30 a second overall."""

from __future__ import annotations

import pytest

from bot.channels.telegram.limits import SendLimiter


class Clock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def send_times(limiter: SendLimiter, clock: Clock, chats: list[int]) -> list[float]:
    """Acquire for each chat in turn; return when each send would go, from the start."""
    start, times = clock.now, []
    for chat in chats:
        await limiter.acquire(chat)
        times.append(round(clock.now - start, 3))
    return times


async def test_one_chat_gets_a_burst_then_one_message_a_second() -> None:
    clock = Clock()
    limiter = SendLimiter(30, 1.0, 3, clock=clock, sleep=clock.sleep)
    assert await send_times(limiter, clock, [7] * 6) == [0, 0, 0, 1, 2, 3]


async def test_many_chats_share_thirty_messages_a_second() -> None:
    clock = Clock()
    limiter = SendLimiter(30, 1.0, 3, clock=clock, sleep=clock.sleep)
    times = await send_times(limiter, clock, list(range(90)))
    assert times[29] == 0 and times[30] == pytest.approx(1 / 30, abs=1e-3)
    assert times[-1] == pytest.approx(2.0, abs=1e-2)


async def test_retry_after_holds_the_chat_back() -> None:
    clock = Clock()
    limiter = SendLimiter(30, 1.0, 3, clock=clock, sleep=clock.sleep)
    await limiter.acquire(7)
    limiter.penalise(7, 5)
    assert await send_times(limiter, clock, [8, 7]) == [0, 5]


async def test_edits_wait_only_for_the_overall_limit() -> None:
    clock = Clock()
    limiter = SendLimiter(30, 1.0, 3, clock=clock, sleep=clock.sleep)
    await send_times(limiter, clock, [7] * 3)
    start = clock.now
    for _ in range(5):
        await limiter.acquire(7, per_chat=False)
    assert clock.now == start
