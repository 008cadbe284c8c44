"""Fuzzing every authenticated dashboard form, as a facilitator and as an admin.

No 5xx, no stack trace, and nothing written when the input is refused (FAULTS_FUZZ_EXAMPLES
examples per role, as in test_fuzz.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import given
from hypothesis import strategies as st

from storage import accounts
from storage.db import Database
from tests.fakes.asgi_server import ThreadedServer
from tests.fakes.telegram_api import FakeTelegram
from tests.faults.endpoints import PUBLIC, RowCounter, fuzz_app, fuzz_settings, huge, leaks_a_trace
from tests.faults.test_fuzz import TALLY, Rig, fuzz, report  # noqa: F401 (prints the tally)

PASSWORD = "correct horse battery staple"
NUMBER = re.compile(r"/-?\d+")
ODD = st.one_of(st.text(max_size=200), huge(st.sampled_from("aé\x00<&")), st.sampled_from([
    "", "0", "-1", "999999999999999999999", "1e309", "demo", "egalite", "flow", "expired", "person",
    "csv", "xlsx", "json", "floip", "admin", "facilitator", "disable", "enable", "all", "followup",
    "sms", "telegram", "+33612345678", "feature,value,min,max\nage,30-44,0,99", "x@y", "../../etc",
]))  # fmt: skip
FORMS = {  # path -> the fields its handler reads
    "/facilitator/erase": ["what", "flow", "confirm", "channel", "address"],
    "/facilitator/kiosk-device": [],
    "/facilitator/accounts": ["email", "password", "role"],
    "/facilitator/accounts/{n}": ["action"],
    "/facilitator/exports/answers": ["format", "flow"],
    "/facilitator/exports/aggregates": ["format", "flow"],
    "/facilitator/feedback/preview": ["text", "easy", "audience"],
    "/facilitator/feedback/send": ["text", "easy", "audience"],
    "/facilitator/heard": ["source", "file"],
    "/facilitator/panel/draw": ["size", "seed", "quotas", "file"],
    "/facilitator/panel/{n}/invite": ["text", "easy"],
    "/facilitator/safety/{n}/handled": [],
}
PAGES = ["/facilitator" + p for p in ("/", "/questions", "/themes", "/heard", "/exports", "/report",
                                     "/panel", "/feedback", "/safety", "/erase", "/accounts", "/audit")]


class Signed(Rig):
    """The rig, signed in as one account (again whenever the session is gone)."""

    email: str = ""

    def sign_in(self) -> str:
        """Log in through the form if needed; return the page's CSRF token."""
        page = self.get("/facilitator/erase" if self.email.startswith("admin") else "/facilitator/")
        if "csrf_token" not in page.text:
            form = self.get("/facilitator/login")
            nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            done = self.portal.call(lambda: self.http.post(PUBLIC + "/facilitator/login", data={
                "email": self.email, "password": PASSWORD, "nonce": nonce, "next": ""}))  # fmt: skip
            assert done.status_code == 303, done.text[:300]
            page = self.get("/facilitator/")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    def send(self, path: str, fields: dict[str, str], files: dict[str, bytes] | None) -> int:
        """POST a form (multipart when it has files); check no crash and no write when refused."""
        before = self.count()
        response = self.portal.call(lambda: self.http.post(
            PUBLIC + path, data=fields, files={k: ("f.csv", v) for k, v in (files or {}).items()} or None))
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
        assert not leaks_a_trace(response.text), response.text[:500]
        if response.status_code >= 400:
            assert self.count() == before, f"{path} refused with {response.status_code} but wrote"
        TALLY[f"{NUMBER.sub('/n', path)} {response.status_code}"] += 1
        return response.status_code


@pytest.fixture(params=["facilitator", "admin"])
def signed(request: pytest.FixtureRequest, database: Database, tmp_path: Path) -> Iterator[Signed]:
    """The real app, with a facilitator and an admin account, signed in as one of them."""
    with database.transaction() as session:
        for role in ("facilitator", "admin"):
            accounts.add_facilitator(session, f"{role}@example.org", PASSWORD, role)
    telegram = FakeTelegram()
    with ThreadedServer(telegram.app) as bot_api, start_blocking_portal() as portal:
        telegram.base_url = bot_api.url
        app, _ = fuzz_app(fuzz_settings(tmp_path, database.url), database, telegram)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC, timeout=60)
        rig = Signed(portal, http, RowCounter(database))
        rig.email = f"{request.param}@example.org"
        yield rig
        portal.call(http.aclose)


@fuzz
@given(data=st.data())
def test_dashboard_forms_with_odd_fields_never_crash_nor_write_when_refused(
    signed: Signed, data: st.DataObject
) -> None:
    token = signed.sign_in()
    path = data.draw(st.sampled_from(sorted(FORMS)))
    names = FORMS[path]
    path = path.replace("{n}", data.draw(st.sampled_from(["1", "2", "0", "-1", "999999"])))
    fields = data.draw(st.fixed_dictionaries({}, optional={n: ODD for n in names if n != "file"}))
    csrf = data.draw(st.sampled_from([token, token, token, "", "forged"]))
    if csrf:
        fields["csrf_token"] = csrf
    files = None
    if "file" in names and data.draw(st.booleans()):
        files = {"file": data.draw(st.one_of(st.binary(max_size=2000), ODD.map(str.encode)))}
    status = signed.send(path, fields, files)
    if csrf != token:
        assert status >= 400


@fuzz
@given(page=st.sampled_from(PAGES), query=st.dictionaries(
    st.sampled_from(["flow", "easy", "template", "next", "channel", "page", "q"]),
    st.text(max_size=300) | st.sampled_from(["1", "-1", "oui", "all", "../", "\x00"]), max_size=3))
def test_dashboard_pages_with_odd_queries_never_crash(
    signed: Signed, page: str, query: dict[str, str]
) -> None:
    signed.sign_in()
    response = signed.portal.call(lambda: signed.http.get(PUBLIC + page, params=query))
    assert response.status_code < 500, (page, query, response.text[:300])
    assert not leaks_a_trace(response.text)
