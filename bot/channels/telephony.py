"""SMS and phone calls wired together: the channels to send through and the webhook routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from bot.channels import sms, sms_gateway, voice
from bot.channels.base import Channel
from bot.channels.sms_gateway import GatewayConfig, SmsGatewayChannel
from bot.channels.twilio_api import TwilioConfig, TwilioSmsChannel
from bot.channels.voice import VoiceChannel
from bot.retention_files import RecordingDeletions
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.container import Services


def channels(settings: Settings, env: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """Build the Twilio SMS, Twilio voice and Android gateway channels from config and env."""
    config = TwilioConfig.load(settings, env)
    twilio, deletions = TwilioSmsChannel(config), RecordingDeletions(config)
    return {
        twilio.name: twilio,
        deletions.name: deletions,
        voice.CHANNEL: VoiceChannel(),
        sms_gateway.CHANNEL: SmsGatewayChannel(GatewayConfig.load(settings, env)),
    }


def routes(services: Services) -> list[BaseRoute]:
    """Return every SMS and voice webhook route."""
    return [*sms.routes(services), *voice.routes(services), *sms_gateway.routes(services)]
