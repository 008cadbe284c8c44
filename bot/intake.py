"""The one way channels hand a message in: throttle, handle (commit), then dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from bot.channels.base import InboundMessage
from bot.service import HandleResult, InlineReply, Reader

if TYPE_CHECKING:
    from bot.container import Services


class Flooded(Exception):
    """One address sent more than the throttle lets through; the caller answers 429."""


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
