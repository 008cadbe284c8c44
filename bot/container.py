"""Build the service's parts once from settings, and hand them around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anyio

from bot import intake
from bot.audio.service import AudioService
from bot.channels import registry
from bot.channels.base import Channel, InboundMessage
from bot.channels.sms_text import SmsSection
from bot.channels.twilio.api import TwilioConfig
from bot.config_sections import DatabaseConfig, OutboxConfig
from bot.flowstore import FlowStore
from bot.outbox import Dispatcher
from bot.retention_files import ClipForgetter, RecordingDeletions
from bot.round_two import Deliberation
from bot.service import ConversationService, HandleResult, InlineReply
from bot.settings import Settings
from bot.throttle import Throttle, ThrottleConfig
from nlu.factory import NluConfig, default_cache_dir
from nlu.factory import build_interpreter as build_nlu
from nlu.interpretation import Interpreter
from storage.db import Database
from storage.privacy import Crypto
from storage.retention import RECORDING_DELETION
from storage.round_two import RoundTwoConfig


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

    async def receive(self, inbound: InboundMessage, dispatch: bool = True,
                      reply_inline: InlineReply | None = None) -> HandleResult:  # fmt: skip
        """Hand a channel's message in; one answered by numbers is read against its last question."""
        read = registry.reader(inbound.channel, self.flows.ids())
        return await intake.receive(self, inbound, dispatch, read, reply_inline)

    def participant_key(self, channel: str, address: str) -> str:
        """Return the pseudonymous key of an address on a channel."""
        return self.service.participant_key(channel, address)

    async def dispatch(self, outbox_ids: list[int]) -> int:
        """Send these outbox rows now; return how many went out."""
        return await self.dispatcher.dispatch(outbox_ids)


def identity_of(channel: str) -> str:
    """Return the identity family of a channel (the same person across related channels)."""
    return registry.capabilities(channel).identity


def build_interpreter(settings: Settings) -> Interpreter:
    """Return the configured interpreter: rules first, then the embedded or Rasa backend."""
    return build_nlu(settings.typed(NluConfig), default_cache_dir())


def build_dispatcher(settings: Settings, db: Database, crypto: Crypto,
                     channels: dict[str, Channel]) -> Dispatcher:  # fmt: skip
    """Return the outbox dispatcher with config.yml `outbox:` (poll, grace, lease)."""
    outbox = settings.typed(OutboxConfig)
    return Dispatcher(
        db, crypto, channels,
        lease=timedelta(seconds=outbox.lease_seconds),
        grace=timedelta(seconds=outbox.reply_grace_seconds),
        poll=outbox.poll_seconds,
    )  # fmt: skip


def build_services(settings: Settings, db: Database | None = None) -> Services:
    """Build every part of the service from settings."""
    db = db or Database(settings.database_url)
    crypto = Crypto(settings.secret_key)
    flows = FlowStore.from_directory(settings.flows_dir)
    interpreter = build_interpreter(settings)
    service = ConversationService(db, flows, interpreter, crypto, settings.default_flow,
                                  capabilities=registry.capabilities,
                                  recordings=settings.data_dir / "recordings",
                                  region=settings.typed(SmsSection).region,
                                  forget_clips=ClipForgetter(settings),
                                  deliberation=Deliberation(settings.typed(RoundTwoConfig)))  # fmt: skip
    audio = AudioService.from_settings(settings)
    channels = registry.build_channels(settings, audio=audio)
    channels[RECORDING_DELETION] = RecordingDeletions(TwilioConfig.load(settings))
    dispatcher = build_dispatcher(settings, db, crypto, channels)
    throttle = Throttle.from_config(settings.typed(ThrottleConfig))
    # SQLite takes one writer at a time: one thread, fed in arrival order, does all of them.
    threads = 1 if db.is_sqlite else settings.typed(DatabaseConfig).inbound_threads
    return Services(settings, db, crypto, flows, interpreter, service, dispatcher, channels, audio,
                    throttle, anyio.CapacityLimiter(threads))  # fmt: skip
