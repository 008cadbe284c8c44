"""Pace outgoing Bot API calls: about 30 a second overall and about 1 a second per chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MAX_CHATS = 10_000
EPSILON = 1e-6  # floating-point slack, so a wait of exactly the right length suffices


@dataclass
class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """Take a token if one is there (return 0), else return how long to wait for one."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1 - EPSILON:
            self.tokens = max(self.tokens - 1, 0.0)
            return 0.0
        return (1 - self.tokens) / self.rate

    def full(self, now: float) -> bool:
        """Say whether the bucket has refilled completely (it can be forgotten)."""
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class SendLimiter:
    """Wait before each send so Telegram's flood limits are respected."""

    def __init__(
        self,
        overall_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.overall_rate, self.chat_rate, self.chat_burst = overall_rate, chat_rate, chat_burst
        self.clock, self.sleep = clock, sleep
        now = clock()
        self.overall = Bucket(overall_rate, overall_rate, overall_rate, now)
        self.chats: dict[int, Bucket] = {}
        self.chat_locks: dict[int, asyncio.Lock] = {}
        self.overall_lock = asyncio.Lock()

    def _chat(self, chat_id: int) -> Bucket:
        """Return the bucket of a chat, forgetting idle chats when there are many."""
        now = self.clock()
        if chat_id not in self.chats:
            if len(self.chats) >= MAX_CHATS:
                for old in [c for c, b in self.chats.items() if b.full(now)]:
                    self.chats.pop(old)
                    lock = self.chat_locks.get(old)
                    if lock is not None and not lock.locked():
                        self.chat_locks.pop(old)
            self.chats[chat_id] = Bucket(self.chat_rate, self.chat_burst, self.chat_burst, now)
        return self.chats[chat_id]

    async def _wait(self, bucket: Bucket) -> None:
        """Sleep until the bucket gives a token."""
        while (delay := bucket.take(self.clock())) > 0:
            await self.sleep(delay)

    async def acquire(self, chat_id: int, per_chat: bool = True) -> None:
        """Wait until one more call may go to this chat (edits pass `per_chat=False`)."""
        if per_chat:
            lock = self.chat_locks.setdefault(chat_id, asyncio.Lock())
            async with lock:
                await self._wait(self._chat(chat_id))
        async with self.overall_lock:
            await self._wait(self.overall)

    def penalise(self, chat_id: int, seconds: float) -> None:
        """Hold a chat back after Telegram answered 429 with retry_after."""
        bucket = self._chat(chat_id)
        bucket.take(self.clock())
        bucket.tokens = min(bucket.tokens, 1 - seconds * bucket.rate)
