"""Typed config.yml sections whose owners read no configuration themselves (see Settings.typed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class OutboxConfig:
    """config.yml `outbox:`: how the repair loop polls, and which rows it leaves alone."""

    SECTION: ClassVar[str] = "outbox"
    poll_seconds: float
    reply_grace_seconds: float
    lease_seconds: float


@dataclass(frozen=True)
class DatabaseConfig:
    """config.yml `database:`: how many inbound messages a worker handles at once (PostgreSQL)."""

    SECTION: ClassVar[str] = "database"
    inbound_threads: int
