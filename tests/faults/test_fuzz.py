"""Fuzzing every webhook and the kiosk: no 5xx, no stack trace, nothing written when refused.

FAULTS_FUZZ_EXAMPLES (default 60) examples per test; run with 2000 for a long campaign.
The app has no OpenAPI description (Starlette routes, no schema), so schemathesis has nothing
to read: these strategies are written from what each platform posts.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.db import Database
from storage.models import Answer
from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.faults.endpoints import (
    ENDPOINTS,
    PUBLIC,
    RowCounter,
    any_json,
    content_types,
    encode,
    fuzz_app,
    fuzz_settings,
    huge,
    leaks_a_trace,
)
from tests.faults.platforms import sms_params

EXAMPLES = int(os.environ.get("FAULTS_FUZZ_EXAMPLES", "60"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example])  # fmt: skip
KIOSK_POSTS = ["/kiosk/start", "/kiosk/answer"]
TALLY: Counter[str] = Counter()


@dataclass
class Rig:
    """The real app in process, its database's row counts, and a client at its public URL."""

    portal: BlockingPortal
    http: httpx.AsyncClient
    count: RowCounter

    def get(self, path: str) -> httpx.Response:
        """GET a page, keeping cookies."""
        return self.portal.call(self.http.get, PUBLIC + path)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """POST and check the answer is not a crash; return its status and text."""
        before = self.count()
        response = self.portal.call(lambda: self.http.post(PUBLIC + path, content=body, headers=headers))
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
        assert not leaks_a_trace(response.text), response.text[:500]
        if response.status_code >= 400:
            assert self.count() == before, f"{path} refused with {response.status_code} but wrote"
        TALLY[f"{path.split('?')[0]} {response.status_code}"] += 1
        return response.status_code, response.text


@pytest.fixture
def rig(database: Database, tmp_path: Path) -> Iterator[Rig]:
    telegram = FakeTelegram()
    with ThreadedServer(telegram.app) as bot_api, start_blocking_portal() as portal:
        telegram.base_url = bot_api.url
        app, _ = fuzz_app(fuzz_settings(tmp_path, database.url), database, telegram)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC, timeout=60)
        yield Rig(portal, http, RowCounter(database))
        portal.call(http.aclose)


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    print("\nfuzz answers:", ", ".join(f"{k}: {v}" for k, v in sorted(TALLY.items())))
    print("fuzz requests:", sum(TALLY.values()))


headers = st.dictionaries(
    st.sampled_from(["X-Twilio-Signature", "X-Signature", "X-Timestamp", "Cookie", "Content-Length",
                     "Transfer-Encoding", "X-Forwarded-For", "Accept-Charset", "I-Twilio-Idempotency-Token"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    max_size=4)  # fmt: skip
bodies = st.one_of(st.binary(max_size=3000), huge(st.sampled_from("aé=&%\x00")).map(str.encode),
                   st.dictionaries(st.text(max_size=20), st.text(max_size=200)).map(
                       lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "replace")),
                   any_json().map(lambda v: repr(v).encode()))  # fmt: skip


@fuzz
@given(path=st.sampled_from([e.path for e in ENDPOINTS] + KIOSK_POSTS), body=bodies, extra=headers,
       content_type=content_types())  # fmt: skip
def test_unsigned_or_garbled_requests_are_refused_and_write_nothing(
    rig: Rig, path: str, body: bytes, extra: dict[str, str], content_type: str | None
) -> None:
    sent = {k: v for k, v in extra.items() if k not in ("Content-Length", "Transfer-Encoding")}
    if content_type is not None:
        sent["Content-Type"] = content_type
    status, _ = rig.post(path, body, sent)
    assert 400 <= status < 500


@fuzz
@given(data=st.data())
def test_signed_requests_with_odd_fields_never_crash(rig: Rig, data: st.DataObject) -> None:
    endpoint = data.draw(st.sampled_from(ENDPOINTS))
    if endpoint.body == "json":
        params = data.draw(any_json() if endpoint.payloads is None else endpoint.payloads)
        right = "application/json"
    else:
        every = st.fixed_dictionaries(endpoint.fields)  # mostly all fields, odd values
        some = st.fixed_dictionaries({}, optional=endpoint.fields)
        params = data.draw(st.one_of(every, every, every, some))
        right = "application/x-www-form-urlencoded"
    query = data.draw(endpoint.query)
    path = endpoint.path + (f"?{query}" if query else "")
    body = encode(endpoint, params)
    sent = endpoint.signer(PUBLIC + path, body, params if isinstance(params, dict) else {})
    content_type = data.draw(st.one_of(st.just(right), st.just(right), st.just(right), content_types()))
    if content_type is not None:
        sent["Content-Type"] = content_type
    rig.post(path, body, sent)


def kiosk_form(page: str) -> dict[str, str]:
    """Return the hidden csrf and nonce of the first form of a kiosk page."""
    return {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
            for name in ("csrf", "nonce")}  # fmt: skip


@fuzz
@given(fields=st.dictionaries(
    st.sampled_from(["flow", "choice", "cmd", "keys", "text", "step", "multi", "nonce", "assisted", "csrf"]),
    st.one_of(st.text(max_size=100), huge(st.sampled_from("a é\x00")),
              st.sampled_from(["demo", "egalite", "standard", "oui", "../", "cmd:stop", "_valider"])),
    max_size=6), start=st.booleans(), content_type=st.one_of(st.none(), content_types()))  # fmt: skip
def test_kiosk_forms_with_odd_fields_never_crash(
    rig: Rig, fields: dict[str, str], start: bool, content_type: str | None
) -> None:
    page = rig.get("/kiosk")
    assert page.status_code == 200
    genuine = kiosk_form(page.text)
    if start:
        rig.post("/kiosk/start", encode(ENDPOINTS[0], {**genuine, "flow": "demo"}),
                 {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        genuine = kiosk_form(rig.get("/kiosk").text)
    form = {**genuine, **fields}
    sent = {"Content-Type": content_type or "application/x-www-form-urlencoded"}
    status, _ = rig.post("/kiosk/answer" if start else "/kiosk/start", encode(ENDPOINTS[0], form), sent)
    if fields.get("csrf", genuine["csrf"]) != genuine["csrf"]:
        assert status >= 400  # 403, or 400/413 when the body cannot be read at all


def test_control_characters_in_an_answer_are_dropped_not_fatal(rig: Rig, database: Database) -> None:
    """PostgreSQL refuses NUL in text: found by fuzzing, a participant stuck on a 500 forever."""
    sms = ENDPOINTS[0]
    for n, body in enumerate(["DEMO", "1", "oui", "bien", "1", "1", "Plus\x00 de bus\x07", "oui"]):
        params = sms_params(f"SMctl{n:029d}", "+33612345678", body)
        data = encode(sms, params)
        headers = {**sms.signer(PUBLIC + sms.path, data, params),
                   "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        assert rig.post(sms.path, data, headers)[0] == 200
    with database.sessions() as session:
        assert session.scalar(select(Answer.raw_text).where(Answer.result == "priorite")) == "Plus de bus"
