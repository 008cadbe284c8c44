"""Fixtures for SMS and voice: the app on the demo flow, fakes of Twilio and the gateway."""

from __future__ import annotations

import dataclasses
import itertools
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.channels import registry
from bot.channels.gateway.signatures import gateway_signature
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database
from storage.models import Answer, OutboxMessage
from tests.phone.fakes import FakeGateway, FakeTwilio

TEST_FLOWS = Path(__file__).resolve().parent.parent / "data" / "flows"
PUBLIC = "https://porte-voix.example.org"
SID, TOKEN, FROM = "AC" + "1" * 32, "twilio-test-token", "+33700000001"
GW_USER, GW_PASSWORD, GW_KEY = "sms", "gateway-password", "gateway-signing-key"
PHONE = "+33612345678"


@pytest.fixture
def phone_env() -> dict[str, str]:
    """The secrets an operator puts in the environment."""
    return {
        "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": FROM,
        "SMS_GATEWAY_USERNAME": GW_USER, "SMS_GATEWAY_PASSWORD": GW_PASSWORD,
        "SMS_GATEWAY_SIGNING_KEY": GW_KEY,
    }  # fmt: skip


@pytest.fixture
def phone_settings(settings: Settings) -> Settings:
    """Settings on the demo flow, served behind a public HTTPS URL."""
    raw = {
        **settings.raw,
        "twilio": {"api_base": "https://api.twilio.test", "from_number_env": "TWILIO_FROM_NUMBER"},
        "sms": {"region": "FR", "accents": "auto", "max_body_bytes": 65536},
        "voice": {"max_silences": 2, "gather_timeout_seconds": 6, "record_max_seconds": 120},
        "sms_gateway": {"url": "http://gateway.test", "max_age_seconds": 300},
    }
    return dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo",
                               public_base_url=PUBLIC, raw=raw)  # fmt: skip


@pytest.fixture
def fake_twilio() -> FakeTwilio:
    return FakeTwilio(SID, TOKEN)


@pytest.fixture
def fake_gateway() -> FakeGateway:
    return FakeGateway(GW_USER, GW_PASSWORD)


@pytest.fixture
def with_audio() -> bool:
    """Whether calls play our rendered audio; by default they use <Say>, so tests read the words."""
    return False


@pytest.fixture
def phone_services(
    phone_settings: Settings, database: Database, phone_env: dict[str, str],
    fake_twilio: FakeTwilio, fake_gateway: FakeGateway, with_audio: bool,
) -> Iterator[Services]:  # fmt: skip
    """Services whose phone channels talk to the fakes over HTTP."""
    services = build_services(phone_settings, database)
    if not with_audio:
        services.audio = None  # the <Say> fallback a call uses when audio cannot be rendered
    built = registry.build_channels(phone_settings, phone_env)
    built["sms"].client = httpx.AsyncClient(transport=httpx.ASGITransport(fake_twilio.app))  # type: ignore[attr-defined]
    built["sms-gateway"].client = httpx.AsyncClient(transport=httpx.ASGITransport(fake_gateway.app))  # type: ignore[attr-defined]
    services.channels.update(built)
    yield services


@pytest.fixture
async def client(phone_services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, addressed by its public URL."""
    app = create_app(phone_services.settings, phone_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC) as http:
        yield http


class Twilio:
    """Twilio's side of the webhooks: form posts signed with its own validator algorithm."""

    def __init__(self, http: httpx.AsyncClient, token: str = TOKEN) -> None:
        self.http = http
        self.token = token
        self.ids = itertools.count(1)

    async def post(self, url: str, params: dict[str, str], signature: str | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
        """POST a form to a path or absolute URL, signed for the public URL."""
        full = url if url.startswith("http") else PUBLIC + url
        if signature is None:
            signature = RequestValidator(self.token).compute_signature(full, params)
        return await self.http.post(full, content=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature, **(headers or {}),
        })  # fmt: skip

    async def sms(self, body: str, sender: str = "06 12 34 56 78", sid: str | None = None) -> httpx.Response:
        """Deliver an inbound SMS to the webhook."""
        sid = sid or f"SM{next(self.ids):032d}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": SID, "From": sender,
                  "To": FROM, "Body": body, "NumMedia": "0", "NumSegments": "1"}  # fmt: skip
        return await self.post("/webhooks/twilio/sms", params)

    async def call(self, url: str, call_sid: str = "CA" + "7" * 32, caller: str = PHONE,
                   **extra: str) -> httpx.Response:  # fmt: skip
        """POST one voice callback of a call."""
        params = {"CallSid": call_sid, "AccountSid": SID, "From": caller, "To": FROM,
                  "CallStatus": "in-progress", "Direction": "inbound", **extra}  # fmt: skip
        return await self.post(url, params)


@pytest.fixture
def twilio(client: httpx.AsyncClient) -> Twilio:
    return Twilio(client)


def messages(response: httpx.Response) -> list[str]:
    """Return the bodies of the <Message> verbs of a TwiML answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def twiml(response: httpx.Response) -> ET.Element:
    """Parse a TwiML answer."""
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


def signed_event(
    event: dict[str, Any], key: str = GW_KEY, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """Return a gateway webhook body and its signature headers."""
    body = json.dumps(event).encode()
    timestamp = str(int(time.time() if at is None else at))
    headers = {"Content-Type": "application/json", "X-Timestamp": timestamp,
               "X-Signature": gateway_signature(key, body, timestamp)}  # fmt: skip
    return body, headers


def stored_answers(services: Services) -> dict[str, str]:
    """Return every stored answer as result -> value."""
    with services.db.sessions() as session:
        return {a.result: a.value for a in session.scalars(select(Answer))}


def outbox(services: Services) -> list[OutboxMessage]:
    """Return every outbox row in order."""
    with services.db.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
