"""Twilio's side, over real HTTP: signed webhooks that are retried, and a fake REST API.

`TwilioSender` posts signed SMS webhooks and retries, with the same MessageSid, what got a
connection error or a 5xx (Twilio does so with connection overrides such as `#rc=5&rp=all`).
`FakeTwilioApi` is the Messages API on 127.0.0.1: it records every send and dedupes nothing,
so a message sent twice shows; like Twilio it then posts a signed "sent" report to the
message's StatusCallback, retrying while our server is down.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.faults.server import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER
from tests.live import listening_socket, serve_in_thread

SMS_PATH = "/webhooks/twilio/sms"
RETRIED = (500, 502, 503, 504)


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """Return X-Twilio-Signature for a form posted to a URL (twilio's own algorithm)."""
    return str(RequestValidator(token).compute_signature(url, params))


def sms_params(sid: str, sender: str, body: str) -> dict[str, str]:
    """Return the form Twilio posts for an inbound SMS."""
    return {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT_SID,
            "MessagingServiceSid": "", "From": sender, "To": FROM_NUMBER, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "FromCountry": "FR", "ToCountry": "FR",
            "ApiVersion": "2010-04-01"}  # fmt: skip


@dataclass
class Reply:
    """One <Message> of a TwiML answer: its body and the outbox rows it carries."""

    body: str
    rows: tuple[int, ...]


@dataclass
class Delivery:
    """One webhook as the platform saw it: attempts, final status, what the answer said."""

    sid: str
    sender: str
    body: str
    attempts: int = 0
    status: int | None = None
    replies: list[Reply] = field(default_factory=list)
    acked_at: float = 0.0


def read_twiml(text: str) -> list[Reply]:
    """Return the messages of a TwiML answer with the outbox ids named in their action URL."""
    replies = []
    for element in ET.fromstring(text).iter("Message"):
        query = parse_qs(urlparse(element.get("action", "")).query)
        rows = tuple(int(v) for v in (query.get("outbox", [""])[0] or "").split(",") if v)
        replies.append(Reply(element.text or "", rows))
    return replies


class TwilioSender:
    """Post signed inbound SMS like Twilio, retrying failures with the same MessageSid."""

    def __init__(self, base_url: str, http: httpx.AsyncClient, give_up_after: float = 90.0,
                 sid_prefix: str = "SM") -> None:  # fmt: skip
        self.base_url = base_url
        self.sid_prefix = sid_prefix
        self.http = http
        self.give_up_after = give_up_after
        self.ids = itertools.count(1)
        self.deliveries: list[Delivery] = []

    def new_sid(self) -> str:
        """Return a fresh MessageSid (34 characters, like Twilio's)."""
        return f"{self.sid_prefix}{next(self.ids):0{34 - len(self.sid_prefix)}d}"

    async def sms(self, sender: str, body: str, sid: str | None = None) -> Delivery:
        """Deliver one SMS; retry on connection errors and 5xx until a final answer."""
        delivery = Delivery(sid or self.new_sid(), sender, body)
        self.deliveries.append(delivery)
        url = self.base_url + SMS_PATH
        params = sms_params(delivery.sid, sender, body)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": sign(url, params),
                   "I-Twilio-Idempotency-Token": hashlib.sha1(delivery.sid.encode()).hexdigest()}  # fmt: skip
        deadline = time.monotonic() + self.give_up_after
        while True:
            delivery.attempts += 1
            try:
                response = await self.http.post(url, content=urlencode(params), headers=headers)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code not in RETRIED:
                delivery.status = response.status_code
                if response.is_success:
                    delivery.replies = read_twiml(response.text)
                    delivery.acked_at = time.monotonic()
                return delivery
            if time.monotonic() > deadline:
                return delivery
            await asyncio.sleep(0.1 * min(delivery.attempts, 10))

    @property
    def retried(self) -> int:
        """Return how many attempts were retries."""
        return sum(d.attempts - 1 for d in self.deliveries)


@dataclass
class Sent:
    """One message created through the fake Messages API."""

    sid: str
    to: str
    body: str
    callback: str
    row: int | None
    at: float


class FakeTwilioApi:
    """Twilio's Messages API on 127.0.0.1, in a thread: records sends, reports them as sent."""

    def __init__(self, callbacks: bool = True, callback_retries: int = 60) -> None:
        self._sock = listening_socket()
        self.port = int(self._sock.getsockname()[1])
        self.callbacks = callbacks
        self.callback_retries = callback_retries
        self.sent: list[Sent] = []
        self.reports: dict[str, int] = {}
        self.reported_at: dict[str, float] = {}
        self.recordings: set[str] = set()  # recording sids that exist
        self.deleted: list[str] = []
        self.down = False  # answer 503 to deletions (an outage)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """Return the base URL to put in config.yml `twilio.api_base`."""
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Starlette:
        """Return the fake as an ASGI app."""
        return Starlette(routes=[
            Route("/2010-04-01/Accounts/{sid}/Messages.json", self.create, methods=["POST"]),
            Route("/2010-04-01/Accounts/{sid}/Recordings/{rec}.json", self.delete_recording,
                  methods=["DELETE"]),
            Route("/2010-04-01/Accounts/{sid}/Recordings/{rec}.mp3", self.recording, methods=["GET"]),
        ])  # fmt: skip

    async def recording(self, request: Request) -> Response:
        """Serve a Recording's MP3 to the account's credentials; 404 when there is no such recording."""
        auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        rec = request.path_params["rec"]
        if request.headers.get("authorization") != auth:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
        if request.path_params["sid"] != ACCOUNT_SID or rec not in self.recordings:
            return JSONResponse({"code": 20404, "message": "not found", "status": 404}, status_code=404)
        return Response(f"ID3 {rec}".encode(), media_type="audio/mpeg")

    async def delete_recording(self, request: Request) -> Response:
        """Delete a Recording: 204, or 404 when there is no such recording."""
        if self.down:
            return JSONResponse({"code": 20500, "message": "Internal error", "status": 503}, status_code=503)
        rec = request.path_params["rec"]
        if request.path_params["sid"] != ACCOUNT_SID or rec not in self.recordings:
            return JSONResponse({"code": 20404, "message": "not found", "status": 404}, status_code=404)
        self.recordings.discard(rec)
        self.deleted.append(rec)
        return Response(status_code=204)

    async def create(self, request: Request) -> Response:
        """Create a Message: check the account, record it, answer 201, report it later."""
        if request.path_params["sid"] != ACCOUNT_SID:
            return JSONResponse({"code": 20404, "message": "not found", "status": 404}, status_code=404)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not form.get("To") or not form.get("Body"):
            return JSONResponse({"code": 21602, "message": "Body is required", "status": 400},
                                status_code=400)  # fmt: skip
        callback = form.get("StatusCallback", "")
        rows = parse_qs(urlparse(callback).query).get("outbox", [""])[0]
        with self._lock:
            sid = f"SM{next(self._ids):032x}"
            self.sent.append(Sent(sid, form["To"], form["Body"], callback,
                                  int(rows) if rows.isdigit() else None, time.monotonic()))  # fmt: skip
        if self.callbacks and callback:
            task = asyncio.create_task(self._report(callback, sid, form["To"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return JSONResponse({"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"],
                             "num_segments": "1"}, status_code=201)  # fmt: skip

    async def _report(self, callback: str, sid: str, to: str) -> None:
        """Post a signed "sent" status report, retrying while the server is unreachable."""
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": "sent", "SmsStatus": "sent",
                  "AccountSid": ACCOUNT_SID, "From": FROM_NUMBER, "To": to,
                  "ApiVersion": "2010-04-01"}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": sign(callback, params)}  # fmt: skip
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(self.callback_retries):
                await asyncio.sleep(0.05)
                try:
                    response = await http.post(callback, content=urlencode(params), headers=headers)
                except httpx.HTTPError:
                    await asyncio.sleep(0.25)
                    continue
                if response.status_code < 500:
                    self.reports[sid] = response.status_code
                    self.reported_at[sid] = time.monotonic()
                    return
                await asyncio.sleep(0.25)

    def start(self) -> None:
        """Serve in a background thread until stop()."""
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="off")  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = serve_in_thread(self._server, self._sock)
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def sends_of(self) -> dict[tuple[int | None, str], int]:
        """Return how many times each (outbox row, body) was sent."""
        counts: dict[tuple[int | None, str], int] = {}
        for sent in list(self.sent):
            counts[(sent.row, sent.body)] = counts.get((sent.row, sent.body), 0) + 1
        return counts


def rows_in_replies(deliveries: list[Delivery]) -> dict[int, int]:
    """Return how many acknowledged TwiML answers carried each outbox row."""
    counts: dict[int, int] = {}
    for delivery in deliveries:
        if delivery.status is not None and 200 <= delivery.status < 300:
            for reply in delivery.replies:
                for row in reply.rows:
                    counts[row] = counts.get(row, 0) + 1
    return counts

