"""Wrong passwords slow the next try, never lock: per (account, address) and per address.

Nothing a stranger does from elsewhere delays the owner: the owner's own (account, address)
pair is untouched, and the per-address count is the stranger's. Each failure past the free
ones doubles the wait, up to a cap; an hour without failure starts afresh.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.dashboard_models import LoginThrottle


@dataclass(frozen=True)
class Scope:
    """Failures allowed before any delay, and the longest delay."""

    free: int
    cap: timedelta


SCOPES = {"pair": Scope(3, timedelta(minutes=5)), "address": Scope(20, timedelta(minutes=5))}
FIRST_DELAY = timedelta(seconds=1)  # then 2, 4, 8 ... up to the scope's cap
FORGET_AFTER = timedelta(hours=1)


def _aware(moment: datetime) -> datetime:
    """Treat a naive timestamp read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _subjects(email: str, client: str) -> dict[str, str]:
    """Return each scope's digest (no raw address or e-mail sits in the table)."""
    def digest(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8")).hexdigest()

    return {"pair": digest(f"{email.strip().lower()}\x00{client}"), "address": digest(client)}


def _rows(session: Session, email: str, client: str) -> list[LoginThrottle]:
    """Return (creating) the rows of this attempt's scopes."""
    rows = []
    for scope, subject in _subjects(email, client).items():
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.subject == subject)
        )  # fmt: skip
        if row is None:
            row = LoginThrottle(scope=scope, subject=subject, failures=0, window_start=datetime.now(UTC))
            session.add(row)
        rows.append(row)
    return rows


def wait_left(session: Session, email: str, client: str, now: datetime) -> int:
    """Return the seconds to wait before this address may try this account (0: go ahead)."""
    waits = [(_aware(r.locked_until) - now).total_seconds() for r in _rows(session, email, client)
             if r.locked_until is not None]  # fmt: skip
    return max([0, *(math.ceil(w) for w in waits)])


def failed(session: Session, email: str, client: str, now: datetime) -> None:
    """Count a wrong password: past the free tries, the next waits twice as long as the last."""
    for row in _rows(session, email, client):
        scope = SCOPES[row.scope]
        if now - _aware(row.window_start) > FORGET_AFTER:
            row.failures = 0
        row.failures, row.window_start = row.failures + 1, now
        if row.failures >= scope.free:
            delay = min(FIRST_DELAY * 2 ** (row.failures - scope.free), scope.cap)
            row.locked_until = now + delay


def succeeded(session: Session, email: str, client: str) -> None:
    """Start this (account, address) pair afresh; the address keeps its count."""
    pair = _rows(session, email, client)[0]
    pair.failures, pair.locked_until = 0, None
