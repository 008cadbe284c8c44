"""Fixtures of the channel tests: the fake Telegram Bot API, and the app in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.channels.telegram import TelegramChannel
from bot.cli_telegram import register
from bot.container import build_services
from bot.settings import Settings
from storage.db import Database
from tests.channels.telegram_world import World, telegram_env, world_settings
from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.audio import SpeakingAudio
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


@pytest.fixture
async def world(
    fake_telegram: FakeTelegram,
    users: Users,
    settings: Settings,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[World]:
    """The app, built as in production, serving the webhook registered with the fake Bot API."""
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    server = ThreadedServer(lifespan="on")
    settings = world_settings(settings, server.url)
    services = build_services(settings, database)
    channel = services.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    channel.audio = SpeakingAudio(tmp_path / "clips")
    server.start(create_app(settings, services))
    try:
        await register(channel.config, drop_pending=False)
        yield World(fake_telegram, users, services, server.url)
    finally:
        server.stop()
