"""A kiosk flood from one address is limited to a few new people; others and enrolled kiosks go on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.container import Services, build_services
from bot.kiosk_limits import DEVICE_COOKIE, Enrolment
from bot.proxies import uvicorn_options
from bot.settings import Settings
from storage.db import Database
from storage.models import Participant
from tests.bot.test_kiosk import KioskUser
from tests.live import live_server

BURST = 3


@pytest.fixture
def limited(demo_settings: Settings, database: Database) -> Iterator[tuple[str, Services]]:
    """A live kiosk letting 3 new people start per address (and one an hour after that)."""
    raw = {**demo_settings.raw, "kiosk": {"new_burst": BURST, "new_per_hour": 1}}
    settings = dataclasses.replace(demo_settings, raw=raw)
    services = build_services(settings, database)
    with live_server(create_app(settings, services)) as url:
        yield url, services


def visitor(base: str, address: str, cookies: dict[str, str] | None = None) -> KioskUser:
    """A new visitor behind a proxy that says they come from `address` (uvicorn trusts loopback)."""
    user = KioskUser(base)
    user.http.headers["X-Forwarded-For"] = address
    for name, value in (cookies or {}).items():
        user.http.cookies.set(name, value, path="/kiosk")
    user.get()
    return user


def people(services: Services) -> int:
    with services.db.sessions() as session:
        return int(session.scalar(select(func.count(Participant.id))) or 0)


def test_new_people_from_one_address_are_limited_with_a_plain_page(limited: tuple[str, Services]) -> None:
    base, services = limited
    first = visitor(base, "198.51.100.7")
    for _ in range(BURST):
        assert visitor(base, "198.51.100.7").post("/kiosk/start", flow="demo").status_code == 200
    refused = visitor(base, "198.51.100.7").post("/kiosk/start", flow="demo")
    assert refused.status_code == 429
    assert "Attendez quelques minutes." in refused.text and "<form" not in refused.text
    assert people(services) == BURST
    assert visitor(base, "203.0.113.5").post("/kiosk/start", flow="demo").status_code == 200
    assert first.post("/kiosk/start", flow="demo").status_code == 429  # still a newcomer
    assert people(services) == BURST + 1


def test_someone_already_answering_is_never_limited(limited: tuple[str, Services]) -> None:
    base, _services = limited
    started = visitor(base, "198.51.100.8")
    assert started.post("/kiosk/start", flow="demo").status_code == 200
    for _ in range(BURST):
        visitor(base, "198.51.100.8").post("/kiosk/start", flow="demo")
    assert started.post("/kiosk/answer", choice="standard").status_code == 200


def test_an_enrolled_day_centre_kiosk_is_exempt(limited: tuple[str, Services]) -> None:
    base, services = limited
    value = Enrolment.from_settings(services.settings).signer.dumps({"by": 1})
    for _ in range(BURST + 3):
        user = visitor(base, "198.51.100.9", {DEVICE_COOKIE: value})
        assert user.post("/kiosk/start", flow="demo").status_code == 200
    forged = visitor(base, "198.51.100.9", {DEVICE_COOKIE: value[:-2] + "xx"})
    for _ in range(BURST):
        visitor(base, "198.51.100.9").post("/kiosk/start", flow="demo")
    assert forged.post("/kiosk/start", flow="demo").status_code == 429


def test_forwarded_headers_are_believed_only_from_configured_proxies(settings: Settings) -> None:
    assert uvicorn_options(settings) == {"proxy_headers": False, "forwarded_allow_ips": []}
    behind = dataclasses.replace(settings, raw={**settings.raw, "proxies": {"trusted": ["10.0.0.2"]}})
    assert uvicorn_options(behind) == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.2"]}

