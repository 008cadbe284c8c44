"""Fakes of what lies outside this machine: Twilio's REST API and the Android gateway's API."""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def _basic(request: Request) -> tuple[str, str] | None:
    """Decode HTTP basic credentials."""
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


@dataclass
class FakeTwilio:
    """Twilio's Messages API as it answers: 201 with a sid, or a JSON error with a code."""

    account_sid: str
    auth_token: str
    unsubscribed: set[str] = field(default_factory=set)
    busy: int = 0
    sent: list[dict[str, str]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def app(self) -> Starlette:
        """Return the fake as an ASGI app."""
        return Starlette(routes=[
            Route("/2010-04-01/Accounts/{sid}/Messages.json", self.create, methods=["POST"]),
        ])  # fmt: skip

    async def create(self, request: Request) -> Response:
        """Create a Message resource (the real API's validation, simplified)."""
        if request.path_params["sid"] != self.account_sid or _basic(request) != (
            self.account_sid, self.auth_token,
        ):  # fmt: skip
            return _error(401, 20003, "Authenticate")
        if self.busy:
            self.busy -= 1
            return JSONResponse({"code": 20429, "message": "Too Many Requests", "status": 429},
                                status_code=429, headers={"Retry-After": "7"})  # fmt: skip
        form = {k: str(v) for k, v in (await request.form()).items()}
        to = form.get("To", "")
        if not _possible(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.unsubscribed:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        if not form.get("Body") or not (form.get("From") or form.get("MessagingServiceSid")):
            return _error(400, 21602, "Message body is required.")
        sid = "SM" + hashlib.md5(str(next(self._ids)).encode()).hexdigest()
        self.sent.append({**form, "sid": sid})
        return JSONResponse({"sid": sid, "status": "queued", "to": to, "body": form["Body"],
                             "num_segments": "1"}, status_code=201)  # fmt: skip


def _possible(number: str) -> bool:
    """Say whether a number is a possible E.164 number, as Twilio checks it."""
    try:
        return number.startswith("+") and phonenumbers.is_possible_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "status": status}, status_code=status)


@dataclass
class FakeGateway:
    """The Android app's local API: POST /message with basic auth answers 202 and an id."""

    username: str
    password: str
    offline: bool = False
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def app(self) -> Starlette:
        """Return the fake as an ASGI app."""
        return Starlette(routes=[Route("/message", self.message, methods=["POST"])])

    async def message(self, request: Request) -> Response:
        """Queue a message on the phone."""
        if _basic(request) != (self.username, self.password):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if self.offline:
            return JSONResponse({"message": "device offline"}, status_code=503)
        body = await request.json()
        text = (body.get("textMessage") or {}).get("text")
        numbers = body.get("phoneNumbers") or []
        if not text or not numbers:
            return JSONResponse({"message": "text and phoneNumbers are required"}, status_code=400)
        message_id = f"gw{len(self.sent) + 1}"
        self.sent.append({**body, "id": message_id})
        return JSONResponse({"id": message_id, "state": "Pending", "isHashed": False,
                             "isEncrypted": False,
                             "recipients": [{"phoneNumber": n, "state": "Pending"} for n in numbers]},
                            status_code=202)  # fmt: skip


@dataclass
class FakeAudio:
    """A stand-in for the audio cache in unit tests: stable URLs, optional failure."""

    fail: bool = False
    rendered: list[str] = field(default_factory=list)

    def url_for(self, text: str, lang: str = "fr", fmt: str = "mp3") -> str:
        """Return the cache URL of a clip."""
        digest = hashlib.sha256(f"{lang}\0{text}".encode()).hexdigest()[:16]
        return f"/audio/{digest}.{fmt}"

    def clip(self, text: str, lang: str = "fr", fmt: str = "mp3") -> str:
        """Pretend to render a clip (or fail like a broken voice)."""
        if self.fail:
            raise RuntimeError("voice engine crashed")
        self.rendered.append(text)
        return self.url_for(text, lang, fmt)
