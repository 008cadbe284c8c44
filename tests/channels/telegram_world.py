"""The Telegram end-to-end world: the fake Bot API, people, and the real app serving the webhook.

The app runs on uvicorn in its own thread (lifespan on, so the outbox repair loop runs too),
built by `build_services` from settings and environment exactly as in production, with the
real audio service (espeak-ng); only the Bot API server is a stand-in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import TelegramConfig
from bot.cli.telegram import register
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database
from storage.models import Answer, Participant
from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users

FLOWS = Path(__file__).resolve().parent / "flows"
FAST = {"overall_rate": 1000, "chat_rate": 200, "chat_burst": 200, "max_retry_wait_seconds": 5}


def telegram_env(fake: FakeTelegram) -> dict[str, str]:
    """Return the environment that points the service at the fake Bot API."""
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}


def world_settings(
    settings: Settings, public_url: str, flows_dir: Path = FLOWS, default_flow: str = "parcours"
) -> Settings:
    """Return settings for the world: its flows, fast pacing, the app's own URL."""
    raw = {**settings.raw, "telegram": {**settings.section("telegram"), **FAST}}
    return dataclasses.replace(settings, flows_dir=flows_dir, default_flow=default_flow,
                               public_base_url=public_url, raw=raw)  # fmt: skip


class World:
    """Everything an end-to-end test drives or inspects."""

    def __init__(self, fake: FakeTelegram, users: Users, services: Services, url: str) -> None:
        self.fake, self.users, self.services, self.url = fake, users, services, url
        channel = services.channels["telegram"]
        assert isinstance(channel, TelegramChannel)
        self.channel = channel
        self.config: TelegramConfig = channel.config

    async def deliver(self, update: dict[str, Any]) -> httpx.Response:
        """Have Telegram deliver an update to the webhook."""
        return await self.users.deliver(update)

    async def post(self, content: bytes, headers: dict[str, str]) -> httpx.Response:
        """Post raw bytes to the webhook (what an attacker or a broken proxy could send)."""
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(f"{self.url}/webhooks/telegram", content=content,
                                     headers=headers)  # fmt: skip

    def texts(self, chat: int) -> list[str]:
        """Return the texts the person sees, in order."""
        return [m.get("text", "") for m in self.fake.chat(chat) if "text" in m]

    def question(self, chat: int) -> dict[str, Any]:
        """Return the latest message with buttons."""
        return self.users.last_with_buttons(chat)

    async def until_text(self, chat: int, fragment: str) -> dict[str, Any]:
        """Wait until the person sees a message containing `fragment`; return it."""

        def seen() -> bool:
            return any(fragment in m.get("text", "") for m in self.fake.chat(chat))

        await self.fake.wait_for(seen)
        return next(m for m in reversed(self.fake.chat(chat)) if fragment in m.get("text", ""))

    async def press(self, chat: int, label: str, expect: str | None = None) -> httpx.Response:
        """Press a button on the latest keyboard; optionally wait for a text to appear."""
        response = await self.deliver(self.users.press(chat, label))
        assert response.status_code == 200, response.text
        if expect is not None:
            await self.until_text(chat, expect)
        return response

    def answers(self) -> dict[str, Answer]:
        """Return the stored answers by result name."""
        with self.services.db.sessions() as session:
            return {a.result: a for a in session.scalars(select(Answer))}

    def participant(self) -> Participant:
        """Return the only participant."""
        with self.services.db.sessions() as session:
            return session.scalars(select(Participant)).one()

    def count(self, model: Any) -> int:
        """Count the rows of a table."""
        with self.services.db.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@dataclass
class Setup:
    """What a world is built from (the fixtures of one test)."""

    fake: FakeTelegram
    users: Users
    settings: Settings
    database: Database
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch
    clips: Path


@asynccontextmanager
async def running_world(setup: Setup, flows_dir: Path, default_flow: str) -> AsyncIterator[World]:
    """Serve the app, built as in production, with its webhook registered on the fake Bot API."""
    for name, value in telegram_env(setup.fake).items():
        setup.monkeypatch.setenv(name, value)
    setup.monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    server = ThreadedServer(lifespan="on")
    settings = world_settings(setup.settings, server.url, flows_dir, default_flow)
    audio = {**settings.section("audio"), "cache_dir": str(setup.clips)}  # shared by the session
    settings = dataclasses.replace(settings, raw={**settings.raw, "audio": audio})
    services = build_services(settings, setup.database)
    channel = services.channels["telegram"]
    assert isinstance(channel, TelegramChannel) and channel.audio is services.audio
    server.start(create_app(settings, services))
    try:
        await register(channel.config, drop_pending=False)
        yield World(setup.fake, setup.users, services, server.url)
    finally:
        server.stop()
