"""Every route that takes input from outside, with how a genuine caller signs it.

Adding a webhook to the fuzzing is one line in ENDPOINTS: its path, how it is signed, and
the form fields or JSON bodies its platform sends.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from hypothesis import strategies as st
from sqlalchemy import MetaData, func, select
from starlette.applications import Starlette

from bot.app import create_app
from bot.channels import registry
from bot.channels.gateway.signatures import gateway_signature
from bot.channels.telegram.channel import build_channel as build_telegram
from bot.channels.twilio.voice_twiml import VOICE_PATH
from bot.container import Services, build_services
from bot.settings import Settings, load_settings
from storage.db import Database
from tests.fakes.telegram_api import FakeTelegram
from tests.faults.platforms import sign
from tests.faults.server import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, SECRET, TEST_FLOWS
from tests.phone.fakes import FakeGateway

PUBLIC = "https://porte-voix.example.org"
GATEWAY_KEY = "gateway-signing-key"
TELEGRAM_SECRET = "fuzz-telegram-secret"
Signer = Callable[[str, bytes, Mapping[str, str]], dict[str, str]]


def twilio_headers(url: str, body: bytes, params: Mapping[str, str]) -> dict[str, str]:
    """Sign a form like Twilio: X-Twilio-Signature over the public URL and the parameters."""
    return {"X-Twilio-Signature": sign(url, dict(params))}


def telegram_headers(url: str, body: bytes, params: Mapping[str, str]) -> dict[str, str]:
    """Authenticate like Telegram: the webhook's secret token in a header."""
    return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def gateway_headers(url: str, body: bytes, params: Mapping[str, str]) -> dict[str, str]:
    """Sign a body like the Android gateway: HMAC-SHA256 of the body and a fresh timestamp."""
    stamp = str(int(time.time()))
    return {"X-Timestamp": stamp, "X-Signature": gateway_signature(GATEWAY_KEY, body, stamp)}


genuine_phones = st.sampled_from(["+33612345678", "+33698765432", "+33700000001"])
phones = st.one_of(
    genuine_phones, genuine_phones, genuine_phones,
    st.sampled_from(["+33612345678", "06 12 34 56 78", "0033612345678", "+447700900123", "+1555",
                     "anonymous", "", "client:alice", "+33 6 12 34 56 78 99 99"]),
    st.text(max_size=40),
)  # fmt: skip
sids = st.one_of(st.from_regex(r"\A(SM|CA|MM)[0-9a-f]{32}\Z"), st.text(max_size=200),
                st.text(min_size=129, max_size=400), st.sampled_from(["SM\x00", "SM" + "9" * 129, "\x7f"]))


def huge(alphabet: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Return long runs of one character (up to 200 kB: past every body limit)."""
    chars = st.characters() if alphabet is None else alphabet
    return st.builds(lambda c, n: c * n, chars, st.integers(1_000, 200_000))


odd_text = st.one_of(st.text(max_size=300), huge(), st.sampled_from(
    ["\x00", "1\x00", "DEMO", "STOP", "1 3", "oui", "é" * 2000, "🙂" * 700, "%00", "<Say>x</Say>"]
))  # fmt: skip


NO_QUERY = st.just("")


@dataclass(frozen=True)
class Endpoint:
    """A route that takes input from outside, and how its genuine caller signs and fills it."""

    name: str
    path: str
    body: Literal["form", "json"]
    signer: Signer
    fields: dict[str, st.SearchStrategy[str]] = field(default_factory=dict)
    query: st.SearchStrategy[str] = NO_QUERY
    payloads: st.SearchStrategy[Any] | None = None  # JSON bodies (default: any JSON)


def json_tree() -> st.SearchStrategy[Any]:
    """Return JSON values of any shape."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=50))  # fmt: skip
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
        max_leaves=12)  # fmt: skip


def telegram_updates() -> st.SearchStrategy[Any]:
    """Return Bot API updates: messages, voice notes and button presses with odd values."""
    plain = st.integers(1, 2**40)
    ints = st.one_of(plain, plain, plain, st.sampled_from([0, -1, 2**63]), json_tree())
    user = st.fixed_dictionaries({"id": ints, "is_bot": st.booleans(), "first_name": odd_text})
    chat = st.fixed_dictionaries({"id": ints, "type": st.sampled_from(["private", "group", "channel", "?"])})
    message = st.fixed_dictionaries({"message_id": ints, "date": plain,
                                     "chat": st.one_of(chat, chat, json_tree())},
                                    optional={"from": user, "text": st.one_of(odd_text, json_tree()),
                                              "voice": st.fixed_dictionaries({
                                                  "file_id": st.text(max_size=30),
                                                  "file_unique_id": st.text(max_size=30),
                                                  "duration": ints}),
                                              "contact": json_tree()})  # fmt: skip
    callback = st.fixed_dictionaries({"id": st.text(max_size=20), "from": user,
                                      "chat_instance": st.text(max_size=10)},
                                     optional={"data": st.one_of(st.text(max_size=80), json_tree()),
                                               "message": message})  # fmt: skip
    update = st.fixed_dictionaries({"update_id": st.one_of(st.integers(0, 2**31), json_tree())},
                                   optional={"message": st.one_of(message, json_tree()),
                                             "edited_message": message, "callback_query": callback,
                                             "my_chat_member": json_tree()})  # fmt: skip
    private = st.fixed_dictionaries({"id": plain, "type": st.just("private")})
    said = st.fixed_dictionaries({"message_id": plain, "date": plain, "chat": private, "from": user,
                                  "text": st.one_of(odd_text, st.sampled_from(["/start", "1", "oui"]))})
    clean = st.fixed_dictionaries({"update_id": st.integers(0, 2**31), "message": said})
    return st.one_of(clean, clean, update, json_tree())


call_fields = {"CallSid": sids, "From": phones, "AccountSid": st.just(ACCOUNT_SID),
               "To": st.just(FROM_NUMBER),
               "CallStatus": st.sampled_from(["in-progress", "ringing", "?"])}  # fmt: skip
call_query = st.one_of(st.just(""), st.builds(
    lambda step, turn, kind, keys: urlencode({"step": step, "turn": turn, "kind": kind, "keys": keys}),
    st.sampled_from(["humeur", "sujets", "priorite", "", "x" * 100]), st.text(max_size=5),
    st.sampled_from(["choice", "multi", "text", "none", "??"]), st.text(max_size=20),
))  # fmt: skip

ENDPOINTS = [
    Endpoint("twilio-sms", "/webhooks/twilio/sms", "form", twilio_headers, {
        "MessageSid": sids, "From": phones, "Body": odd_text, "AccountSid": st.just(ACCOUNT_SID),
        "To": st.just(FROM_NUMBER), "NumMedia": st.sampled_from(["0", "1", "x"])}),
    Endpoint("twilio-status", "/webhooks/twilio/status", "form", twilio_headers, {
        "MessageSid": sids, "MessageStatus": st.one_of(st.sampled_from(
            ["sent", "delivered", "undelivered", "failed", "read", "queued"]), st.text(max_size=30)),
        "ErrorCode": st.one_of(st.just(""), st.just("21610"), st.text(max_size=10))},
        query=st.one_of(st.just(""), st.builds(lambda v: urlencode({"outbox": v}), st.text(max_size=30)))),
    Endpoint("twilio-voice", VOICE_PATH, "form", twilio_headers, call_fields),
    Endpoint("twilio-voice-gather", VOICE_PATH + "/gather", "form", twilio_headers,
             {**call_fields, "Digits": st.one_of(st.from_regex(r"\A[0-9*#]{0,4}\Z"), odd_text)}, call_query),
    Endpoint("twilio-voice-record", VOICE_PATH + "/record", "form", twilio_headers,
             {**call_fields, "RecordingUrl": st.one_of(st.just("https://api.twilio.com/2010-04-01/"
                                                               "Accounts/AC1/Recordings/RE1"), odd_text,
                                                       st.text(min_size=250, max_size=400).map("https://".__add__)),
              "RecordingDuration": st.one_of(st.sampled_from(["0", "3", ""]), st.text(max_size=8))},
             call_query),
    Endpoint("twilio-voice-silence", VOICE_PATH + "/silence", "form", twilio_headers, call_fields,
             call_query),
    Endpoint("sms-gateway", "/webhooks/sms-gateway", "json", gateway_headers),
    Endpoint("telegram", "/webhooks/telegram", "json", telegram_headers, payloads=telegram_updates()),
]  # fmt: skip


def fuzz_settings(tmp: Path, database_url: str) -> Settings:
    """Settings for an in-process app behind the public URL, on the test flows."""
    settings = load_settings({"PORTE_VOIX_SECRET_KEY": SECRET, "PORTE_VOIX_MODE": "test",
                              "DATABASE_URL": database_url,
                              "PORTE_VOIX_DATA_DIR": str(tmp / "data")})  # fmt: skip
    raw = {**settings.raw, "sms_gateway": {"url": "http://gateway.test", "max_age_seconds": 300},
           "throttle": {"messages_per_second": 10_000, "burst": 10_000}}  # fmt: skip
    return dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo",
                               public_base_url=PUBLIC, raw=raw)  # fmt: skip


def fuzz_app(settings: Settings, db: Database, telegram: FakeTelegram) -> tuple[Starlette, Services]:
    """Build the real app; Twilio, the gateway and Telegram are fakes at their HTTP boundary."""
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "TWILIO_FROM_NUMBER": FROM_NUMBER, "SMS_GATEWAY_USERNAME": "u",
           "SMS_GATEWAY_PASSWORD": "p", "SMS_GATEWAY_SIGNING_KEY": GATEWAY_KEY}  # fmt: skip
    services = build_services(settings, db)
    bot = build_telegram(settings, None, {"TELEGRAM_BOT_TOKEN": telegram.token,
                                          "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
                                          "TELEGRAM_API_BASE_URL": telegram.base_url})  # fmt: skip
    assert bot is not None
    services.channels["telegram"] = bot
    services.audio = None  # calls speak with <Say>: fuzzing is not about rendering speech
    built = registry.build_channels(settings, env)
    gateway = FakeGateway("u", "p")
    built["sms-gateway"].client = httpx.AsyncClient(transport=httpx.ASGITransport(gateway.app))  # type: ignore[attr-defined]
    services.channels.update(built)
    return create_app(settings, services), services


class RowCounter:
    """Count the rows of every table (including tables of later migrations)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.metadata = MetaData()
        self.metadata.reflect(db.engine)

    def __call__(self) -> dict[str, int]:
        with self.db.engine.connect() as conn:
            return {table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
                    for table in self.metadata.sorted_tables}  # fmt: skip


def encode(endpoint: Endpoint, params: Mapping[str, str]) -> bytes:
    """Encode parameters the way the endpoint's platform does."""
    if endpoint.body == "json":
        return json.dumps(params).encode()
    return urlencode(params).encode()


def leaks_a_trace(text: str) -> bool:
    """Say whether a response body shows a stack trace or an exception's insides."""
    return any(marker in text for marker in ("Traceback", 'File "/', "sqlalchemy.", "psycopg.",
                                             "IntegrityError", "Exception:"))  # fmt: skip


def content_types() -> st.SearchStrategy[str | None]:
    """Return content types, right and wrong."""
    return st.one_of(st.none(), st.sampled_from([
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
        "application/json", "multipart/form-data; boundary=x", "text/plain", "text/xml",
        "application/octet-stream", "application/x-www-form-urlencoded;;;", "*/*", "",
    ]), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))  # fmt: skip


def any_json() -> st.SearchStrategy[Any]:
    """Return JSON values of any shape, and gateway-like events with odd payloads."""
    tree = json_tree()
    payload = st.fixed_dictionaries({}, optional={
        "phoneNumber": st.one_of(genuine_phones, phones, tree),
        "message": st.one_of(odd_text, odd_text, tree),
        "messageId": st.one_of(st.text(max_size=40), tree), "reason": st.one_of(st.text(max_size=200), tree),
    })  # fmt: skip
    event = st.fixed_dictionaries({
        "event": st.one_of(st.sampled_from(["sms:received", "sms:sent", "sms:delivered", "sms:failed",
                                            "system:ping"]), tree),
        "id": st.one_of(st.text(max_size=40), st.integers(), tree),
        "payload": st.one_of(payload, tree),
    })  # fmt: skip
    return st.one_of(event, tree)
