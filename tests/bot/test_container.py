"""The services built from settings: how many threads handle inbound messages at once."""

from __future__ import annotations

import dataclasses

from bot.container import build_services
from bot.settings import Settings
from storage.db import Database


def test_sqlite_handles_inbound_on_one_thread_postgresql_on_the_configured_number(
    settings: Settings,
) -> None:
    raw = {**settings.raw, "database": {"inbound_threads": 3}}
    sqlite = build_services(dataclasses.replace(settings, raw=raw))
    assert sqlite.inbound_limiter.total_tokens == 1  # one writer at a time anyway
    postgres = Database("postgresql+psycopg://postgres@127.0.0.1:1/none")  # never connected
    assert build_services(dataclasses.replace(settings, raw=raw), postgres).inbound_limiter.total_tokens == 3
    postgres.dispose()
