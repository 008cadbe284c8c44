"""Twilio SMS webhooks: inbound messages answered in TwiML, and delivery status callbacks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import anyio
from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.base import InboundMessage, OutboundMessage
from bot.channels.phone import PhoneNumberError, to_e164
from bot.channels.plugin import ChannelPlugin, Hub
from bot.channels.sms_text import SMS, AccentPolicy, SmsPart, pack, segments_by_reply
from bot.channels.twilio.api import STATUS_PATH, TwilioConfig, TwilioSmsChannel
from bot.channels.twilio.web import messages_twiml, require, signed_form, twiml
from bot.intake import Flooded
from bot.settings import Settings
from storage import delivery
from storage.models import OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "sms"
# Twilio's MessageStatus values worth keeping; queued/accepted/sending say nothing new.
RECORDED_STATUSES = {"sent", "delivered", "undelivered", "failed", "read"}
UNSUBSCRIBED = "21610"


class _Packed:
    """The replies of one webhook packed into SMS, and each reply's share of the cost."""

    def __init__(self, accents: AccentPolicy) -> None:
        self.accents = accents
        self.parts: list[SmsPart] = []

    def __call__(self, replies: list[OutboundMessage]) -> list[int]:
        self.parts = pack(replies, self.accents)
        return segments_by_reply(self.parts, len(replies))


class TwilioSmsWebhooks:
    """The routes Twilio calls for SMS, bound to the service's hub."""

    def __init__(self, config: TwilioConfig, hub: Hub) -> None:
        self.config = config
        self.hub = hub

    async def _form(self, request: Request) -> FormData:
        return await signed_form(request, self.config.auth_token, self.config.public_base_url,
                                 self.config.max_body_bytes)  # fmt: skip

    async def inbound(self, request: Request) -> Response:
        """Handle one inbound SMS and answer with the service's replies in TwiML."""
        form = await self._form(request)
        sid, sender = require(form, "MessageSid", "From")
        if "Body" not in form:
            raise HTTPException(400, "missing Body")
        try:
            address = to_e164(sender, self.config.region)
        except PhoneNumberError as exc:
            raise HTTPException(400, "From is not a phone number") from exc
        inbound = InboundMessage(channel=CHANNEL, address=address, external_id=sid,
                                 text=str(form["Body"]))  # fmt: skip
        packed = _Packed(self.config.accents)
        try:
            # One transaction reads the last question, handles the message and stores the
            # replies as sent in this response: committed before the 200, nothing to claim.
            result = await self.hub.receive(inbound, reply_inline=packed)
        except Flooded as exc:
            raise HTTPException(429, "too many messages from this number", {"Retry-After": "10"}) from exc
        ids = result.outbox_ids
        if result.duplicate:
            # Twilio sends a MessageSid again only when our first answer never reached it
            # (a crash after the commit): the replies it carried go out now, unless Twilio
            # already reported on them (then they reached it, and repeating would double).
            unreported = await anyio.to_thread.run_sync(self._unreported, ids)
            kept = [(i, m) for i, m in zip(ids, result.replies, strict=True) if i in unreported]
            ids = [i for i, _ in kept]
            packed([m for _, m in kept])
        return twiml(self._reply(ids, packed.parts))

    def _unreported(self, ids: list[int]) -> set[int]:
        """Return the outbox rows Twilio has not reported on yet."""
        with self.hub.db.sessions() as session:
            return set(session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.id.in_(ids),
                                               OutboxMessage.external_id.is_(None))
            ))  # fmt: skip

    def _reply(self, outbox_ids: list[int], parts: list[SmsPart]) -> str:
        """Write the packed replies as TwiML, each SMS reporting its delivery on its rows."""
        status = self.config.public_base_url + STATUS_PATH + "?"
        return messages_twiml([
            (part.body, status + urlencode({"outbox": ",".join(str(outbox_ids[i]) for i in part.replies)}))
            for part in parts
        ])  # fmt: skip

    async def status(self, request: Request) -> Response:
        """Record a delivery report (delivered, failed, undelivered) on the outbox."""
        form = await self._form(request)
        sid = require(form, "MessageSid")[0]
        status = str(form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        if not status:
            raise HTTPException(400, "missing MessageStatus")
        try:
            ids = [int(v) for v in request.query_params.get("outbox", "").split(",") if v]
        except ValueError as exc:
            raise HTTPException(400, "outbox must list row ids") from exc
        if status in RECORDED_STATUSES:
            code = str(form.get("ErrorCode") or "")
            error = f"twilio code {code}" if code and status != "delivered" else None
            await anyio.to_thread.run_sync(self._record, sid, status, ids, error, code == UNSUBSCRIBED)
        return Response(status_code=204)

    def _record(self, sid: str, status: str, ids: list[int], error: str | None, opt_out: bool) -> None:
        with self.hub.db.transaction() as session:
            count = delivery.record_status(session, (CHANNEL, "voice"), status, sid, ids, error, opt_out)
        if not count:
            log.info("twilio status %s for an unknown message", status)


def build(settings: Settings, env: Mapping[str, str], audio: Any = None) -> TwilioSmsChannel:
    """Return the Twilio SMS sender, configured from config.yml and the environment."""
    return TwilioSmsChannel(TwilioConfig.load(settings, env))


def routes(channel: TwilioSmsChannel, hub: Hub) -> list[BaseRoute]:
    """Return the Twilio SMS webhook routes."""
    hooks = TwilioSmsWebhooks(channel.config, hub)
    return [
        Route("/webhooks/twilio/sms", hooks.inbound, methods=["POST"]),
        Route(STATUS_PATH, hooks.status, methods=["POST"]),
    ]


PLUGIN = ChannelPlugin(name=CHANNEL, label="SMS", capabilities=SMS, build=build, routes=routes)
