"""The login delay grows with each failure, is per (account, address) and per address, and ends."""

from __future__ import annotations

from datetime import timedelta

from dashboard import login_delay
from storage.db import Database
from storage.models import utcnow


def test_the_delay_doubles_then_stops_at_the_cap_and_an_hour_forgets(database: Database) -> None:
    now = utcnow()
    waits = []
    with database.transaction() as session:
        for _ in range(14):
            login_delay.failed(session, "anne@example.org", "203.0.113.9", now)
            waits.append(login_delay.wait_left(session, "anne@example.org", "203.0.113.9", now))
        assert waits[:6] == [0, 0, 1, 2, 4, 8] and waits[-1] == 300
        assert login_delay.wait_left(session, "anne@example.org", "203.0.113.10", now) == 0
        after_cap = now + timedelta(minutes=6)
        assert login_delay.wait_left(session, "anne@example.org", "203.0.113.9", after_cap) == 0
        later = now + timedelta(hours=2)
        login_delay.failed(session, "anne@example.org", "203.0.113.9", later)
        assert login_delay.wait_left(session, "anne@example.org", "203.0.113.9", later) == 0


def test_one_address_trying_many_accounts_is_slowed_too(database: Database) -> None:
    now = utcnow()
    with database.transaction() as session:
        for n in range(20):
            login_delay.failed(session, f"guess{n}@example.org", "198.51.100.66", now)
        assert login_delay.wait_left(session, "other@example.org", "198.51.100.66", now) == 1
        assert login_delay.wait_left(session, "other@example.org", "198.51.100.67", now) == 0
