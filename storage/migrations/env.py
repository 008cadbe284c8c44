"""Alembic environment: runs migrations on the URL the caller configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import storage.dashboard_models
import storage.report_back_models  # registers the recommendations and report backs
import storage.round_two_models  # registers the round-two tables
import storage.theme_models  # noqa: F401  (registers theme corrections and proposals)
from storage.models import Base

config = context.config
url: str = config.get_main_option("sqlalchemy.url") or ""
assert url, "sqlalchemy.url must be set by storage.db.alembic_config"


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,  # type: ignore[arg-type]
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
