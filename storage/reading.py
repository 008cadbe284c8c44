"""Long reads (exports) that never hold SQLite's write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from storage.db import Database

_readers: dict[str, Engine] = {}


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Wait for a busy database instead of failing; WAL lets readers run beside a writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _reader(db: Database) -> Engine:
    """Return an engine for reading SQLite without BEGIN IMMEDIATE."""
    engine = _readers.get(db.url)
    if engine is None:
        engine = create_engine(db.url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _pragmas)
        _readers[db.url] = engine
    return engine


@contextmanager
def read_session(db: Database) -> Iterator[Session]:
    """Open a session for a long read; writers are not blocked while it streams."""
    engine = _reader(db) if db.is_sqlite else db.engine
    with Session(engine) as session:
        try:
            yield session
        finally:
            session.rollback()
