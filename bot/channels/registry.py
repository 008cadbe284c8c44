"""The one list of channels: the app's routes, the outbox's senders, the dashboard's labels.

A channel is added here and nowhere else (see the README, "Adding a channel").
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

from starlette.routing import BaseRoute

from bot.channels import kiosk, numbers
from bot.channels.base import Capabilities, Channel, unregistered
from bot.channels.gateway import sms_gateway
from bot.channels.plugin import ChannelPlugin, Hub, RepliesOnly
from bot.channels.telegram import channel as telegram
from bot.channels.twilio import sms, voice
from bot.service import Reader
from bot.settings import Settings

PLUGINS: dict[str, ChannelPlugin] = {}


def register(plugin: ChannelPlugin) -> ChannelPlugin:
    """Add a channel to the registry (a name is registered once)."""
    if plugin.name in PLUGINS:
        raise ValueError(f"channel {plugin.name!r} is already registered")
    PLUGINS[plugin.name] = plugin
    return plugin


for _plugin in (kiosk.PLUGIN, telegram.PLUGIN, sms.PLUGIN, voice.PLUGIN, sms_gateway.PLUGIN):
    register(_plugin)


def capabilities(channel: str) -> Capabilities:
    """Return what a channel can do (an unregistered name: buttons, its own identity)."""
    plugin = PLUGINS.get(channel)
    return plugin.capabilities if plugin is not None else unregistered(channel)


def reader(channel: str, keywords: Collection[str]) -> Reader | None:
    """Return how a channel's messages are read: numbers against the last question, or as sent."""
    return numbers.reader(keywords) if capabilities(channel).answers_by == "numbers" else None


def labels() -> dict[str, str]:
    """Return each channel's name as facilitators read it."""
    return {name: plugin.label for name, plugin in PLUGINS.items()}


def build_channels(
    settings: Settings, env: Mapping[str, str] | None = None, audio: Any = None
) -> dict[str, Channel]:
    """Build every configured channel; one that cannot send later sends through its family."""
    env = os.environ if env is None else env
    built: dict[str, Channel] = {}
    for name, plugin in PLUGINS.items():
        channel = plugin.build(settings, env, audio)
        if channel is not None:  # None: not configured (Telegram without a token), no route
            built[name] = channel
    for name, channel in list(built.items()):
        can = PLUGINS[name].capabilities
        if not can.sends_later:
            built[name] = RepliesOnly(name, channel, _sender_of_family(can.identity, built))
    return built


def _sender_of_family(identity: str, built: Mapping[str, Channel]) -> Channel | None:
    """Return the first built channel of an identity family that can send later."""
    return next((built[name] for name, plugin in PLUGINS.items()
                 if name in built and plugin.capabilities.identity == identity
                 and plugin.capabilities.sends_later), None)  # fmt: skip


def routes(channels: Mapping[str, Channel], hub: Hub) -> list[BaseRoute]:
    """Return the routes of every built channel."""
    return [route for name, plugin in PLUGINS.items() if name in channels
            for route in plugin.routes(channels[name], hub)]  # fmt: skip
