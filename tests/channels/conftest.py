"""Fixtures of the channel tests: the fake Telegram Bot API, and the app in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.db import Database
from tests.channels.telegram_world import FLOWS, Setup, World, running_world
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


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The audio cache of the session: each text is rendered once for all the tests."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture
def telegram_setup(
    fake_telegram: FakeTelegram,
    users: Users,
    settings: Settings,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clip_cache: Path,
) -> Setup:
    """What a Telegram world is built from: the fake Bot API, its users, settings and database."""
    return Setup(fake_telegram, users, settings, database, tmp_path, monkeypatch, clip_cache)


@pytest.fixture
async def world(telegram_setup: Setup) -> AsyncIterator[World]:
    """The app, built as in production, on the test flow `parcours`."""
    async with running_world(telegram_setup, FLOWS, "parcours") as world:
        yield world


@pytest.fixture
async def egalite_world(
    fake_telegram: FakeTelegram,
    users: Users,
    settings: Settings,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clip_cache: Path,
) -> AsyncIterator[World]:
    """The app, built as in production, on the campaign flows of flows/definitions."""
    setup = Setup(fake_telegram, users, settings, database, tmp_path, monkeypatch, clip_cache)
    async with running_world(setup, settings.flows_dir, "egalite") as world:
        yield world
