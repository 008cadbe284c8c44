"""Run the hundred people once; the walk's tests read what they left behind."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass

import httpx

from tests.walk.people import (
    Driver,
    GatewayDriver,
    Kiosk,
    KioskDriver,
    Seen,
    SmsDriver,
    TelegramDriver,
    VoiceDriver,
    plans,
)
from tests.walk.world import ADMIN, PASSWORD, World

SEED = 20261125
TIMES: dict[str, float] = {}  # seconds spent per channel (printed, never asserted)


def login(http: httpx.Client, email: str) -> None:
    """Log in through the real form."""
    page = http.get("/facilitator/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
    assert nonce, page.text[:300]
    done = http.post("/facilitator/login", data={"email": email, "password": PASSWORD,
                                                 "nonce": nonce.group(1), "next": ""})  # fmt: skip
    assert done.status_code in (200, 303), done.text[:300]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def enrolled_kiosk(world: World) -> httpx.Client:
    """A day centre's kiosk: an admin enrols the browser, then logs out and leaves it to people."""
    http = httpx.Client(base_url=world.url, follow_redirects=True, timeout=30)
    login(http, ADMIN)
    form = http.get("/facilitator/kiosk-device")
    assert form.status_code == 200, form.text[:300]
    done = http.post("/facilitator/kiosk-device", data={"csrf_token": csrf_of(form.text)})
    assert done.status_code == 200, done.text[:300]
    logout = http.get("/facilitator/")
    http.post("/facilitator/logout", data={"csrf_token": csrf_of(logout.text)})
    return http


@dataclass
class Walked:
    """The world after the walk, and what each person did."""

    world: World
    people: list[Seen]


def walk(world: World, count: int = 100) -> Walked:
    """Let every person live their plan, kiosk people one after another on three kiosks."""
    rng = random.Random(SEED)
    http = httpx.Client(timeout=30)
    kiosks = [Kiosk(world, enrolled_kiosk(world)) for _ in range(3)]
    people = []
    for n, plan in enumerate(plans(rng, count)):
        seen = Seen(plan)
        phone = f"+3361{n:03d}00{n % 97:02d}"
        driver: Driver
        if plan.channel == "sms":
            driver = SmsDriver(world, seen, rng, http, phone)
        elif plan.channel == "gateway":
            driver = GatewayDriver(world, seen, rng, http, phone)
        elif plan.channel == "voice":
            driver = VoiceDriver(world, seen, rng, http, phone)
        elif plan.channel == "telegram":
            driver = TelegramDriver(world, seen, rng, http, 880_000 + n)
        else:
            driver = KioskDriver(world, seen, rng, kiosks[n % 3])
        began = time.perf_counter()
        driver.live()
        TIMES[plan.channel] = TIMES.get(plan.channel, 0.0) + time.perf_counter() - began
        people.append(seen)
    return Walked(world, people)
