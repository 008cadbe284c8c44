"""Migration 0003: the indexes the inbound path and status reports look rows up by."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from storage.db import Database, alembic_config


def outbox_indexes(db: Database) -> dict[str, list[str]]:
    """Return the outbox table's indexes as name -> columns."""
    with db.engine.connect() as conn:
        indexes = inspect(conn).get_indexes("outbox")
    return {str(i["name"]): [str(c) for c in i["column_names"]] for i in indexes}


def test_the_perf_indexes_come_with_the_migration_and_go_with_its_downgrade(database: Database) -> None:
    indexes = outbox_indexes(database)
    assert indexes["ix_outbox_participant"] == ["participant_id", "id"]
    assert indexes["ix_outbox_external_id"] == ["external_id"]
    command.downgrade(alembic_config(database.url), "0001")
    assert not {"ix_outbox_participant", "ix_outbox_external_id"} & set(outbox_indexes(database))
    database.upgrade()
    assert "ix_outbox_participant" in outbox_indexes(database)


def test_sqlite_finds_the_last_message_and_a_status_report_by_index(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as conn:
        last = conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT payload FROM outbox WHERE participant_id = 1 ORDER BY id DESC LIMIT 1"
        )).all()  # fmt: skip
        report = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE external_id = 'SM1'")
        ).all()
    assert "ix_outbox_participant" in str(last) and "TEMP B-TREE" not in str(last)
    assert "ix_outbox_external_id" in str(report)
