"""Fixtures of the channel tests: the fake Telegram Bot API on a free local port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fake Bot API server running on 127.0.0.1; `.base_url` is set on it."""
    fake = FakeTelegram()
    with ThreadedServer(fake.app) as server:
        fake.base_url = server.url
        yield fake


@pytest.fixture
def users(fake_telegram: FakeTelegram) -> Users:
    """The people writing to the bot through the fake server."""
    return Users(fake_telegram)
