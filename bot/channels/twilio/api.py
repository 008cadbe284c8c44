"""Twilio settings and outbound SMS through Twilio's REST API (messages not sent in a reply)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx

from bot.channels.base import OutboundMessage, SendResult
from bot.channels.sms_text import AccentPolicy, SmsSection, pack
from bot.settings import Settings

log = logging.getLogger(__name__)
STATUS_PATH = "/webhooks/twilio/status"
# Twilio error codes that mean the person can no longer be texted (unsubscribed, blocked).
BLOCKED_CODES = frozenset({21610, 30004})


@dataclass(frozen=True)
class TwilioSection:
    """config.yml `twilio:` (the secrets come from the environment)."""

    SECTION: ClassVar[str] = "twilio"
    from_number_env: str  # the variable that holds the sending number
    messaging_service_sid_env: str  # or the one that holds a messaging service
    api_base: str


@dataclass(frozen=True)
class TwilioConfig:
    """Twilio account, numbers and SMS preferences: config.yml `twilio:`/`sms:` and env."""

    account_sid: str
    auth_token: str
    from_number: str
    messaging_service_sid: str
    api_base: str
    public_base_url: str
    region: str
    accents: AccentPolicy
    max_body_bytes: int

    @classmethod
    def load(cls, settings: Settings, env: Mapping[str, str] | None = None) -> TwilioConfig:
        """Read non-secrets from config.yml and secrets from the environment."""
        env = os.environ if env is None else env
        twilio, sms = settings.typed(TwilioSection), settings.typed(SmsSection)
        return cls(
            account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            from_number=env.get(twilio.from_number_env, ""),
            messaging_service_sid=env.get(twilio.messaging_service_sid_env, ""),
            api_base=twilio.api_base.rstrip("/"),
            public_base_url=settings.public_base_url,
            region=sms.region,
            accents=sms.accents,
            max_body_bytes=sms.max_body_bytes,
        )

    @property
    def can_send(self) -> bool:
        """Say whether outbound SMS can be sent (credentials and a sender)."""
        return bool(self.account_sid and self.auth_token and
                    (self.from_number or self.messaging_service_sid))  # fmt: skip


class TwilioSmsChannel:
    """Send SMS with Twilio's Messages API; replies to an inbound SMS go in its TwiML instead."""

    def __init__(self, config: TwilioConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        """Return the HTTP client, made on first use (building services opens no connection)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=15.0)
        return self._client

    @client.setter
    def client(self, value: httpx.AsyncClient) -> None:
        self._client = value

    @property
    def messages_url(self) -> str:
        """Return the Messages resource of the account."""
        sid = self.config.account_sid
        return f"{self.config.api_base}/2010-04-01/Accounts/{sid}/Messages.json"

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Send one message (several SMS when it is longer than one body)."""
        if not self.config.can_send:
            return SendResult(ok=False, error="twilio is not configured", retry_after=300)
        segments, sid = 0, None
        callback = self.config.public_base_url + STATUS_PATH
        row = message.extra.get("outbox_id")
        if row is not None:  # reports then name the row even before its sid is recorded
            callback += "?" + urlencode({"outbox": str(row)})
        for part in pack([message], self.config.accents):
            result = await self._post(address, part.body, callback)
            if not result.ok:
                return result
            segments += part.segments
            sid = result.external_id
        return SendResult(ok=True, external_id=sid, segments=segments)

    async def _post(self, address: str, body: str, callback: str) -> SendResult:
        """Create one Message resource and read Twilio's answer."""
        data = {"To": address, "Body": body, "StatusCallback": callback}
        if self.config.messaging_service_sid:
            data["MessagingServiceSid"] = self.config.messaging_service_sid
        else:
            data["From"] = self.config.from_number
        auth = (self.config.account_sid, self.config.auth_token)
        try:
            response = await self.client.post(self.messages_url, data=data, auth=auth)
        except httpx.HTTPError as exc:
            log.warning("twilio unreachable: %s", type(exc).__name__)
            return SendResult(ok=False, error=f"twilio unreachable: {type(exc).__name__}",
                              retry_after=30)  # fmt: skip
        return read_answer(response)


def read_answer(response: httpx.Response) -> SendResult:
    """Turn Twilio's HTTP answer into a SendResult (error texts may hold the number: dropped)."""
    payload: dict[str, Any] = {}
    try:
        payload = dict(response.json())
    except ValueError:
        payload = {}
    if response.status_code in (200, 201):
        return SendResult(ok=True, external_id=str(payload.get("sid") or "") or None)
    code = payload.get("code")
    error = f"twilio {response.status_code}" + (f" code {code}" if code else "")
    if response.status_code == 429 or response.status_code >= 500:
        retry = float(response.headers.get("Retry-After", "0") or 0) or 30.0
        return SendResult(ok=False, error=error, retry_after=retry)
    blocked = isinstance(code, int) and code in BLOCKED_CODES
    return SendResult(ok=False, error=error, blocked=blocked)
