"""The "SMS Gateway for Android" app: signed webhook events in, its HTTP API out."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import anyio
import httpx
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import jsonbody
from bot.channels.base import InboundMessage, OutboundMessage, SendResult
from bot.channels.gateway.signatures import GATEWAY_SIGNATURE, GATEWAY_TIMESTAMP, check_gateway
from bot.channels.phone import PhoneNumberError, to_e164
from bot.channels.plugin import ChannelPlugin, Hub
from bot.channels.sms_text import SMS, AccentPolicy, SmsSection, pack, segments_by_reply
from bot.channels.webhook import SignatureError, read_body
from bot.intake import Flooded
from bot.service import HandleResult
from bot.settings import Settings
from storage import delivery

log = logging.getLogger(__name__)
CHANNEL = "sms-gateway"
WEBHOOK_PATH = "/webhooks/sms-gateway"
STATUS_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


@dataclass(frozen=True)
class GatewaySection:
    """config.yml `sms_gateway:` (the credentials come from the environment)."""

    SECTION: ClassVar[str] = "sms_gateway"
    url: str
    send_path: str
    max_age_seconds: float
    sim_number: int | None


@dataclass(frozen=True)
class GatewayConfig:
    """Where the phone's API is and how to trust its webhooks: config.yml `sms_gateway:` + env."""

    url: str
    send_path: str
    username: str
    password: str
    signing_key: str
    max_age: float
    sim_number: int | None
    region: str
    accents: AccentPolicy
    max_body_bytes: int

    @classmethod
    def load(cls, settings: Settings, env: Mapping[str, str] | None = None) -> GatewayConfig:
        """Read the phone's address from config.yml and its credentials from the environment."""
        env = os.environ if env is None else env
        section, sms = settings.typed(GatewaySection), settings.typed(SmsSection)
        return cls(
            url=(env.get("SMS_GATEWAY_URL") or section.url).rstrip("/"),
            send_path=section.send_path,
            username=env.get("SMS_GATEWAY_USERNAME", ""),
            password=env.get("SMS_GATEWAY_PASSWORD", ""),
            signing_key=env.get("SMS_GATEWAY_SIGNING_KEY", ""),
            max_age=section.max_age_seconds,
            sim_number=section.sim_number or None,
            region=sms.region,
            accents=sms.accents,
            max_body_bytes=sms.max_body_bytes,
        )


class SmsGatewayChannel:
    """Send SMS through the Android phone's API (basic auth, JSON)."""

    def __init__(self, config: GatewayConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        """Return the HTTP client, made on first use (building services opens no connection)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=20.0)
        return self._client

    @client.setter
    def client(self, value: httpx.AsyncClient) -> None:
        self._client = value

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Ask the phone to send one message; its id comes back in delivery events."""
        parts = pack([message], self.config.accents)
        result = await self.send_text(address, "\n\n".join(p.body for p in parts))
        return replace(result, segments=sum(p.segments for p in parts)) if result.ok else result

    async def send_text(self, address: str, text: str) -> SendResult:
        """POST one SMS text to the phone's API."""
        if not self.config.url:
            return SendResult(ok=False, error="sms gateway is not configured", retry_after=300)
        body: dict[str, Any] = {"textMessage": {"text": text}, "phoneNumbers": [address],
                                "withDeliveryReport": True}  # fmt: skip
        if self.config.sim_number:
            body["simNumber"] = self.config.sim_number
        try:
            response = await self.client.post(
                self.config.url + self.config.send_path, json=body,
                auth=(self.config.username, self.config.password),
            )  # fmt: skip
        except httpx.HTTPError as exc:
            return SendResult(ok=False, error=f"gateway unreachable: {type(exc).__name__}",
                              retry_after=60)  # fmt: skip
        if response.status_code in (200, 201, 202):
            try:
                sent_id = str(response.json().get("id") or "") or None
            except ValueError:
                sent_id = None
            return SendResult(ok=True, external_id=sent_id)
        error = f"gateway {response.status_code}"
        if response.status_code in (401, 403, 429) or response.status_code >= 500:
            return SendResult(ok=False, error=error, retry_after=60)
        return SendResult(ok=False, error=error)


class GatewayWebhook:
    """The route the phone posts its events to."""

    def __init__(self, channel: SmsGatewayChannel, hub: Hub) -> None:
        self.hub = hub
        self.config = channel.config
        self.channel = channel

    async def event(self, request: Request) -> Response:
        """Check the signature and freshness, then apply one event."""
        body = await read_body(request, self.config.max_body_bytes)
        try:
            check_gateway(self.config.signing_key, body, request.headers.get(GATEWAY_TIMESTAMP),
                          request.headers.get(GATEWAY_SIGNATURE), max_age=self.config.max_age)  # fmt: skip
        except SignatureError as exc:
            log.warning("sms gateway event refused: %s signature", exc.reason)
            raise HTTPException(403, f"{exc.reason} signature") from exc
        try:
            data = jsonbody.loads(body)
        except ValueError as exc:
            raise HTTPException(400, "body is not JSON") from exc
        event, event_id, payload = _fields(data)
        if event == "sms:received":
            inbound = self._received(event_id, payload)
            try:
                result = await self.hub.receive(inbound, dispatch=False)
            except Flooded as exc:  # the phone retries later: nothing is lost
                raise HTTPException(429, "too many messages from this number") from exc
            task = BackgroundTask(self._reply, inbound.address, result)
            return JSONResponse({"ok": True, "duplicate": result.duplicate}, background=task)
        if event in STATUS_EVENTS:
            message_id = str(payload.get("messageId") or "")
            if not message_id:
                raise HTTPException(400, "missing payload.messageId")
            reason = str(payload.get("reason") or "")[:120]
            await anyio.to_thread.run_sync(self._status, message_id, STATUS_EVENTS[event], reason)
        return JSONResponse({"ok": True})

    def _received(self, event_id: str, payload: dict[str, Any]) -> InboundMessage:
        sender, text = payload.get("phoneNumber") or payload.get("sender"), payload.get("message")
        if not sender or not isinstance(text, str):
            raise HTTPException(400, "missing payload.phoneNumber or payload.message")
        try:
            address = to_e164(str(sender), self.config.region)
        except PhoneNumberError as exc:
            raise HTTPException(400, "phoneNumber is not a phone number") from exc
        return InboundMessage(channel=CHANNEL, address=address, external_id=event_id, text=text)

    async def _reply(self, address: str, result: HandleResult) -> None:
        """Send the replies to one SMS as few SMS, in order; failures go back to the outbox."""
        claimed = set(await anyio.to_thread.run_sync(self._claim, result.outbox_ids))
        kept = [(row_id, message) for row_id, message
                in zip(result.outbox_ids, result.replies, strict=True) if row_id in claimed]  # fmt: skip
        parts = pack([message for _, message in kept], self.config.accents)
        costs = segments_by_reply(parts, len(kept))
        for number, part in enumerate(parts):
            sent = await self.channel.send_text(address, part.body)
            if not sent.ok:
                rest = [kept[i][0] for p in parts[number:] for i in p.replies]
                await anyio.to_thread.run_sync(self._release, rest, sent)
                log.warning("sms gateway reply failed: %s", sent.error)
                return
            rows = {kept[i][0]: costs[i] for i in part.replies}
            await anyio.to_thread.run_sync(self._sent, rows, sent.external_id)

    def _claim(self, ids: list[int]) -> list[int]:
        with self.hub.db.transaction() as session:
            return delivery.claim_replies(session, ids, status="sending")

    def _sent(self, rows: dict[int, int], external_id: str | None) -> None:
        with self.hub.db.transaction() as session:
            delivery.mark_sent(session, rows, external_id)

    def _release(self, ids: list[int], sent: SendResult) -> None:
        with self.hub.db.transaction() as session:
            delivery.release(session, ids, sent.error or "send failed", sent.retry_after)

    def _status(self, message_id: str, status: str, reason: str) -> None:
        error = f"gateway: {reason}" if reason and status == "failed" else None
        with self.hub.db.transaction() as session:
            delivery.record_status(session, (CHANNEL,), status, message_id, error=error)


def _fields(data: Any) -> tuple[str, str, dict[str, Any]]:
    """Return (event, event id, payload) of a webhook body, or refuse it (400)."""
    if not isinstance(data, dict):
        raise HTTPException(400, "body must be a JSON object")
    event, event_id, payload = data.get("event"), data.get("id"), data.get("payload")
    if not event or not event_id or not isinstance(payload, dict):
        raise HTTPException(400, "missing event, id or payload")
    return str(event), str(event_id)[:128], payload


def build(settings: Settings, env: Mapping[str, str], audio: Any = None) -> SmsGatewayChannel:
    """Return the gateway's sender, configured from config.yml and the environment."""
    return SmsGatewayChannel(GatewayConfig.load(settings, env))


def routes(channel: SmsGatewayChannel, hub: Hub) -> list[BaseRoute]:
    """Return the Android gateway's webhook route."""
    hooks = GatewayWebhook(channel, hub)
    return [Route(WEBHOOK_PATH, hooks.event, methods=["POST"])]


PLUGIN = ChannelPlugin(name=CHANNEL, label="SMS (téléphone Android)", capabilities=SMS,
                       build=build, routes=routes)  # fmt: skip
