"""The walk's world: the real app on uvicorn, every channel at once, the platforms faked at HTTP.

Telegram is the real python-telegram-bot client against the fake Bot API; Twilio's webhooks
are signed with Twilio's own validator; the Android gateway's events are signed with its key;
the kiosk is a browser-like client keeping its cookies. Calls speak with <Say> so the walk can
read what a caller hears; the kiosk and Telegram render real audio (espeak-ng).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.channels.gateway.signatures import gateway_signature
from bot.cli.telegram import register
from bot.container import Services, build_services
from bot.settings import load_settings
from storage import accounts
from storage.db import Database
from storage.models import OutboxMessage
from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.phone.fakes import FakeGateway, FakeTwilio

DEFINITIONS = Path(__file__).resolve().parents[2] / "flows" / "definitions"
SECRET = "walk-secret-" + "w" * 40
SID, TOKEN, FROM = "AC" + "3" * 32, "walk-twilio-token", "+33700000009"
GW_USER, GW_PASSWORD, GW_KEY = "gw", "gw-password", "gw-signing-key"
PASSWORD = "correct horse battery"
FACILITATOR, ADMIN = "claire@example.org", "admin@example.org"


@dataclass
class World:
    """The running app, its services, and the fakes the platforms are replaced by."""

    url: str
    services: Services
    telegram: FakeTelegram
    gateway: FakeGateway
    webhook_secret: str

    def count_pending(self, channel: str) -> int:
        """Count a channel's outbox rows not sent yet (Telegram replies after the webhook answered)."""
        with self.services.db.sessions() as session:
            query = select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.channel == channel)
            return int(session.scalar(query) or 0)

    def settle(self, channel: str, timeout: float = 20.0) -> None:
        """Wait until every reply of a channel has left the outbox."""
        deadline = time.monotonic() + timeout
        while self.count_pending(channel):
            assert time.monotonic() < deadline, "replies stuck in the outbox"
            time.sleep(0.01)


def sign_twilio(url: str, params: dict[str, str]) -> dict[str, str]:
    """Return the headers Twilio sends with a form: its signature over the URL and the fields."""
    return {"Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)}  # fmt: skip


def twilio_post(http: httpx.Client, url: str, params: dict[str, str]) -> httpx.Response:
    """POST a signed Twilio form."""
    return http.post(url, content=urlencode(params), headers=sign_twilio(url, params))


def gateway_post(http: httpx.Client, url: str, event: dict[str, Any]) -> httpx.Response:
    """POST a signed event of the Android gateway."""
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Timestamp": stamp,
               "X-Signature": gateway_signature(GW_KEY, body, stamp)}  # fmt: skip
    return http.post(url + "/webhooks/sms-gateway", content=body, headers=headers)


@contextmanager
def running(tmp: Path, monkeypatch: Any, audio_dir: Path | None = None) -> Iterator[World]:
    """Serve the app with every channel on the campaign flows; yield the world.

    The walks may share one audio cache (`audio_dir`): clips are named by their text and voice, so
    a second walk plays the questions' clips the first one rendered instead of rendering them again.
    """
    fake = FakeTelegram()
    with ThreadedServer(fake.app) as bot_api:
        fake.base_url = bot_api.url
        server = ThreadedServer(lifespan="on")
        env = {"PORTE_VOIX_SECRET_KEY": SECRET, "PORTE_VOIX_MODE": "test",
               "DATABASE_URL": f"sqlite:///{tmp / 'walk.db'}", "PORTE_VOIX_DATA_DIR": str(tmp / "data"),
               "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
               "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": FROM,
               "SMS_GATEWAY_USERNAME": GW_USER, "SMS_GATEWAY_PASSWORD": GW_PASSWORD,
               "SMS_GATEWAY_SIGNING_KEY": GW_KEY}  # fmt: skip
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
        settings = load_settings(env)
        raw = {**settings.raw,
               "twilio": {**settings.section("twilio"), "api_base": "https://api.twilio.test"},
               "audio": {**settings.section("audio"), "cache_dir": str(audio_dir or tmp / "data" / "audio")},
               "sms_gateway": {**settings.section("sms_gateway"), "url": "http://gateway.test"},
               "throttle": {"messages_per_second": 10_000, "burst": 10_000, "max_wait_seconds": 1},
               "telegram": {**settings.section("telegram"), "overall_rate": 1000, "chat_rate": 200,
                            "chat_burst": 200}}  # fmt: skip
        settings = dataclasses.replace(settings, flows_dir=DEFINITIONS, default_flow="egalite",
                                       public_base_url=server.url, raw=raw)  # fmt: skip
        db = Database(settings.database_url)
        db.upgrade()
        services = build_services(settings, db)
        gateway, twilio = FakeGateway(GW_USER, GW_PASSWORD), FakeTwilio(SID, TOKEN)
        services.channels["sms"].client = httpx.AsyncClient(transport=httpx.ASGITransport(twilio.app))  # type: ignore[attr-defined]
        services.channels["sms-gateway"].client = httpx.AsyncClient(  # type: ignore[attr-defined]
            transport=httpx.ASGITransport(gateway.app))
        with db.transaction() as session:
            if not accounts.list_facilitators(session):
                accounts.add_facilitator(session, FACILITATOR, PASSWORD, "facilitator")
                accounts.add_facilitator(session, ADMIN, PASSWORD, "admin")
        app = create_app(settings, services)
        for route in app.routes:  # calls speak with <Say>, so the walk reads what a caller hears
            handler = getattr(getattr(route, "endpoint", None), "__self__", None)
            if hasattr(handler, "speaker"):
                handler.speaker.audio = None  # type: ignore[union-attr]
        server.start(app)
        try:
            import anyio

            anyio.run(register, services.channels["telegram"].config, False)  # type: ignore[attr-defined]
            hook = fake.state.webhook or {}
            yield World(server.url, services, fake, gateway, str(hook.get("secret_token") or ""))
        finally:
            server.stop()
            db.dispose()
