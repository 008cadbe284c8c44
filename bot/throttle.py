"""Per-participant throttling: a flood from one address is slowed, others are not."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class ThrottleConfig:
    """config.yml `throttle:`: the rate and burst one participant gets, and the longest wait."""

    SECTION: ClassVar[str] = "throttle"
    messages_per_second: float
    burst: int
    max_wait_seconds: float


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Throttle:
    """A token bucket per participant key; waiting is async, so other participants go on."""

    def __init__(self, rate: float = 5.0, burst: int = 10, max_wait: float = 10.0,
                 max_keys: int = 100_000) -> None:  # fmt: skip
        self.rate = rate
        self.burst = burst
        self.max_wait = max_wait
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @classmethod
    def from_config(cls, config: ThrottleConfig) -> Throttle:
        """Build the throttle config.yml describes."""
        return cls(config.messages_per_second, config.burst, config.max_wait_seconds)

    def reserve(self, key: str, now: float | None = None) -> float | None:
        """Take a token for a key; return how long to wait first, or None when over max_wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        wait = 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / self.rate
        if wait > self.max_wait:
            self._buckets[key] = bucket
            return None
        bucket.tokens -= 1
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    async def admit(self, key: str) -> bool:
        """Wait for this key's turn; False when the key floods beyond max_wait."""
        wait = self.reserve(key)
        if wait is None:
            return False
        if wait > 0:
            await asyncio.sleep(wait)
        return True
