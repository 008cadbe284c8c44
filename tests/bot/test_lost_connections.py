"""PostgreSQL closes the pool's connections (a restart, a failover): the next message still lands."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from bot.container import Services
from storage import db as storage_db
from storage.db import Database
from storage.models import Answer, InboundEvent


@pytest.fixture
def pg_database() -> Iterator[Database]:
    from tests.conftest import make_database

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    db = make_database(url)
    yield db
    db.dispose()


@pytest.fixture(params=["postgresql"])
def database(pg_database: Database) -> Database:
    """Override: these tests are about PostgreSQL's connections only."""
    return pg_database


def terminate_other_connections(db: Database) -> int:
    """Close every other session on the database, as a server restart would."""
    admin = create_engine(db.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar_one()  # fmt: skip
    admin.dispose()
    return int(killed)


def test_a_message_after_the_server_dropped_a_busy_pool_is_stored_once(
    services: Services, send: Callable[..., object]
) -> None:
    send(text="Bonjour")  # the pool now holds a connection used a moment ago (not pinged)
    assert terminate_other_connections(services.db) >= 1
    result = send(text="Bonjour", external_id="after-restart")
    assert result.replies, "the participant gets an answer"  # type: ignore[attr-defined]
    with services.db.transaction() as session:
        stored = session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.external_id == "after-restart")
        )
    assert stored == 1


def test_an_idle_pooled_connection_is_checked_before_use(
    services: Services, send: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    send(text="Bonjour")
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection is "idle"
    terminate_other_connections(services.db)
    # A read outside the conversation service (the dashboard's kind) has no retry of its own.
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
