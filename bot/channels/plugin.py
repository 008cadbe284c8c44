"""A channel plug-in: a name, its capabilities, how it is built, and the routes it serves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.routing import BaseRoute

from bot.channels.base import Capabilities, Channel, InboundMessage, OutboundMessage, SendResult
from bot.flowstore import FlowStore
from bot.service import HandleResult, InlineReply
from bot.settings import Settings
from storage.db import Database


class Hub(Protocol):
    """What the service lends a channel's routes: the way in, and the few records they read.

    The container implements it; a channel sees nothing else of the service.
    """

    db: Database  # delivery records: claims, status reports, the last question sent
    flows: FlowStore
    audio: Any  # the audio service, or None where audio is off

    async def receive(self, inbound: InboundMessage, dispatch: bool = True,
                      reply_inline: InlineReply | None = None) -> HandleResult:  # fmt: skip
        """Hand one inbound message in; its answer is committed when this returns.

        `reply_inline` says the webhook answers in its own response (TwiML, a page): the
        replies are stored as sent with the cost it returns. Otherwise they are dispatched
        when `dispatch` is true, or left to the caller to send.
        """
        ...

    def participant_key(self, channel: str, address: str) -> str:
        """Return the pseudonymous key of an address on a channel."""
        ...

    async def dispatch(self, outbox_ids: list[int]) -> int:
        """Send these outbox rows now; return how many went out."""
        ...


# (settings, environment, audio service) -> the channel's sender (its config when it cannot
# send later: the registry wraps it in RepliesOnly), or None when it is not configured.
Build = Callable[[Settings, Mapping[str, str], Any], Any]
# (the built channel, the hub) -> the channel's HTTP routes.
Routes = Callable[[Any, Hub], list[BaseRoute]]


@dataclass(frozen=True)
class ChannelPlugin:
    """Everything the app needs to know about one channel; registered once in the registry."""

    name: str
    label: str  # how facilitators read the channel's name (dashboard)
    capabilities: Capabilities
    build: Build
    routes: Routes


def in_response(replies: list[OutboundMessage]) -> list[int | None]:
    """Store a turn's replies as sent: they travel in the webhook's own response (page, TwiML)."""
    return [None] * len(replies)


@dataclass(frozen=True)
class RepliesOnly:
    """The outbox's sender for a channel that cannot send later; its routes keep the config.

    Its replies travel inside its own responses (a page, a call), so only a message for later
    (feedback, an invitation) reaches it here. That one goes through `later`, a channel of the
    same identity family that can send (a caller's number gets an SMS), or fails.
    """

    name: str
    config: Any
    later: Channel | None = None

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Hand a message for later to the family's sender, or refuse: nobody can be reached."""
        if self.later is not None:
            return await self.later.send(address, message)
        return SendResult(ok=False, error=f"{self.name} cannot send a message later")
