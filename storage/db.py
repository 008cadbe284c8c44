"""The database: engine, sessions, and migrations to the latest schema."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    """Take the write lock at BEGIN, so concurrent writers queue instead of failing.

    Straight on the driver: through exec_driver_sql, SQLAlchemy's statement machinery cost
    more than the BEGIN itself, once per transaction.
    """
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE")


# A pooled PostgreSQL connection idle longer than this is checked before use. Pinging on every
# checkout (pool_pre_ping) costs a round trip per message; a connection busy a moment ago is
# alive, and one that died since fails its statement with a disconnect error, which
# invalidates the pool and is retried by the conversation service.
PING_AFTER_IDLE_SECONDS = 10.0


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle in the pool; a dead one is replaced (the pool retries)."""
    if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # the driver opened a transaction for it
    except Exception as exc:
        raise DisconnectionError("pooled connection is gone") from exc


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, **engine_args: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine_args.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        else:
            engine_args.setdefault("pool_size", 10)
            engine_args.setdefault("max_overflow", 20)
        self.engine: Engine = create_engine(url, **engine_args)
        if not self.is_sqlite and not engine_args.get("pool_pre_ping"):
            event.listen(self.engine, "checkin", _checked_in)
            event.listen(self.engine, "checkout", _checked_out)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Let SQLAlchemy, not pysqlite, decide when transactions begin.
            event.listen(
                self.engine,
                "connect",
                lambda dbapi_conn, _rec: setattr(dbapi_conn, "isolation_level", None),
            )
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue here for it instead of
        # polling the file lock, whose busy handler sleeps up to 100 ms between tries (the p99
        # of a busy webhook). Other processes still wait through busy_timeout.
        self._writer = threading.RLock() if self.is_sqlite else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a session in one transaction: commit on success, roll back on error."""
        if self._writer is None:
            with self.sessions() as session, session.begin():
                yield session
            return
        with self._writer, self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """Open a Core connection in one transaction: commit on success, roll back on error."""
        if self._writer is None:
            with self.engine.connect() as connection, connection.begin():
                yield connection
            return
        with self._writer, self.engine.connect() as connection, connection.begin():
            yield connection

    def upgrade(self) -> None:
        """Migrate the database to the latest revision."""
        from alembic import command

        command.upgrade(alembic_config(self.url), "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def alembic_config(url: str) -> Any:
    """Build an Alembic configuration for this package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
