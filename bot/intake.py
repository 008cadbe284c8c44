"""The one way channels hand a message in: tidy, throttle, handle (commit), then dispatch."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import TYPE_CHECKING

import anyio

from bot.channels.base import InboundMessage
from bot.service import HandleResult, InlineReply, Reader

if TYPE_CHECKING:
    from bot.container import Services

# C0 controls but tab, newline and return, and DEL: PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_EXTERNAL_ID = 128  # inbound_events.external_id


class Flooded(Exception):
    """One address sent more than the throttle lets through; the caller answers 429."""


def tidy(inbound: InboundMessage) -> InboundMessage:
    """Make platform input storable: no control characters, an id that fits its column.

    An odd id (too long, or with control characters) is replaced by its SHA-256, so two
    different ids stay two different messages and the same id is still recognised.
    """
    external_id = inbound.external_id
    if len(external_id) > MAX_EXTERNAL_ID or _CONTROL.search(external_id):
        external_id = "sha256:" + hashlib.sha256(external_id.encode("utf-8", "replace")).hexdigest()
    text = _CONTROL.sub("", inbound.text) if inbound.text else inbound.text
    if external_id == inbound.external_id and text == inbound.text:
        return inbound
    return dataclasses.replace(inbound, external_id=external_id, text=text)


async def receive(
    services: Services,
    inbound: InboundMessage,
    dispatch: bool = True,
    read: Reader | None = None,
    reply_inline: InlineReply | None = None,
) -> HandleResult:
    """Handle one inbound message; its answer is committed before this returns.

    `read` and `reply_inline` go to ConversationService.handle (inline replies are never
    dispatched: the caller answers with them).
    """
    inbound = tidy(inbound)
    key = services.service.participant_key(inbound.channel, inbound.address)
    if not await services.throttle.admit(key):
        raise Flooded(inbound.channel)
    result = await anyio.to_thread.run_sync(services.service.handle, inbound, read, reply_inline,
                                            limiter=services.inbound_limiter)  # fmt: skip
    if reply_inline is not None:
        return result
    if dispatch and result.outbox_ids and not result.duplicate:
        await services.dispatcher.dispatch(result.outbox_ids)
    return result
