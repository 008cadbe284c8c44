"""Build the service's parts once from settings, and hand them around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anyio

from bot.audio.service import AudioService
from bot.channels import telephony
from bot.channels.base import Channel
from bot.channels.kiosk import KioskChannel
from bot.channels.phone import identity_family
from bot.channels.telegram import build_channel as build_telegram
from bot.flowstore import FlowStore
from bot.outbox import Dispatcher
from bot.retention_files import ClipForgetter
from bot.service import ConversationService
from bot.settings import Settings
from bot.throttle import Throttle
from nlu.factory import build_interpreter as build_nlu
from nlu.factory import default_cache_dir
from nlu.interpretation import Interpreter
from storage.db import Database
from storage.privacy import Crypto


@dataclass
class Services:
    """Everything a route or command needs, built from one Settings."""

    settings: Settings
    db: Database
    crypto: Crypto
    flows: FlowStore
    interpreter: Interpreter
    service: ConversationService
    dispatcher: Dispatcher
    channels: dict[str, Channel] = field(default_factory=dict)
    audio: Any = None
    throttle: Throttle = field(default_factory=Throttle)
    # Threads that handle inbound messages at once: a few long-lived workers, not one per request.
    inbound_limiter: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(8))


def identity_of(channel: str) -> str:
    """Return the identity family of a channel (the same person across related channels)."""
    return identity_family(channel)


def build_interpreter(settings: Settings) -> Interpreter:
    """Return the configured interpreter: rules first, then the embedded or Rasa backend."""
    return build_nlu(settings.section("nlu"), default_cache_dir())


def build_dispatcher(settings: Settings, db: Database, crypto: Crypto, channels: dict[str, Channel],
                     audio: Any = None) -> Dispatcher:  # fmt: skip
    """Return the outbox dispatcher with config.yml `outbox:` (poll, grace, lease)."""
    section = settings.section("outbox")
    return Dispatcher(
        db, crypto, channels, audio,
        lease=timedelta(seconds=float(section.get("lease_seconds", 300))),
        grace=timedelta(seconds=float(section.get("reply_grace_seconds", 15))),
        poll=float(section.get("poll_seconds", 2)),
    )  # fmt: skip


def build_services(settings: Settings, db: Database | None = None) -> Services:
    """Build every part of the service from settings."""
    db = db or Database(settings.database_url)
    crypto = Crypto(settings.secret_key)
    flows = FlowStore.from_directory(settings.flows_dir)
    interpreter = build_interpreter(settings)
    channels: dict[str, Channel] = {"kiosk": KioskChannel()}
    channels.update(telephony.channels(settings))

    def audio_choice(name: str) -> bool:
        channel = channels.get(name)
        return channel is None or channel.capabilities.offers_audio_choice

    def answers_by(name: str) -> str:
        channel = channels.get(name)
        return "buttons" if channel is None else channel.capabilities.answers_by

    service = ConversationService(db, flows, interpreter, crypto, settings.default_flow,
                                  identity=identity_of, audio_choice=audio_choice,
                                  answers_by=answers_by,
                                  recordings=settings.data_dir / "recordings",
                                  region=str(settings.section("sms").get("region", "FR")),
                                  forget_clips=ClipForgetter(settings))  # fmt: skip
    audio = AudioService.from_settings(settings)
    telegram = build_telegram(settings, audio)  # None without TELEGRAM_BOT_TOKEN
    if telegram is not None:
        channels["telegram"] = telegram
    dispatcher = build_dispatcher(settings, db, crypto, channels, audio)
    limits = settings.section("throttle")
    throttle = Throttle(
        rate=float(limits.get("messages_per_second", 5)),
        burst=int(limits.get("burst", 10)),
        max_wait=float(limits.get("max_wait_seconds", 10)),
    )
    # SQLite takes one writer at a time: one thread, fed in arrival order, does all of them.
    threads = 1 if db.is_sqlite else int(settings.section("database").get("inbound_threads", 4))
    return Services(settings, db, crypto, flows, interpreter, service, dispatcher, channels, audio,
                    throttle, anyio.CapacityLimiter(threads))  # fmt: skip
