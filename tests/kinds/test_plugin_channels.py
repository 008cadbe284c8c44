"""A step kind defined only in the tests, on every channel and in the CSV export.

The flow `avis` asks two statements of the test kind `avis_test`; each test runs it whole on
one channel, through the app's HTTP endpoints, then downloads the dashboard's CSV export.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import create_app
from bot.container import Services, build_services
from bot.settings import Settings
from flows.kinds import Kind
from storage.db import Database
from tests.bot.test_kiosk import KioskUser
from tests.channels.telegram_world import Setup, World, running_world
from tests.kinds.reaction import FLOWS, exported
from tests.live import live_server
from tests.phone.conftest import Twilio, messages
from tests.phone.test_voice_webhook import Call, heard

CHAT = 7101
WELCOME = "Bonjour. Voici deux phrases sur votre quartier."


@pytest.fixture
def phone_settings(phone_settings: Settings, reaction: Kind) -> Settings:
    """The phone channels on the flow `avis`."""
    return dataclasses.replace(phone_settings, flows_dir=FLOWS, default_flow="avis")


@pytest.fixture
async def world(reaction: Kind, telegram_setup: Setup) -> AsyncIterator[World]:
    """The app and the fake Bot API, on the flow `avis`."""
    async with running_world(telegram_setup, FLOWS, "avis") as world:
        yield world


def csv_answers(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Return (channel, bus, lumiere) of each exported respondent."""
    return [(r["channel"], r["bus"], r["lumiere"]) for r in rows]


async def test_on_the_kiosk(reaction: Kind, settings: Settings, database: Database) -> None:
    settings = dataclasses.replace(settings, flows_dir=FLOWS, default_flow="avis")
    services = build_services(settings, database)
    with live_server(create_app(settings, services)) as base:
        user = KioskUser(base)
        user.get()
        user.post("/kiosk/start", flow="avis")
        assert user.question() == "Les bus passent assez souvent."
        assert "D&#39;accord" in user.page or "D'accord" in user.page
        assert 'value="ne_sait_pas"' in user.page and "🤷" in user.page
        user.post("/kiosk/answer", choice="desaccord")
        assert user.question() == "Les rues sont bien éclairées le soir."
        user.post("/kiosk/answer", choice="cmd:retour")
        assert user.question() == "Les bus passent assez souvent."
        user.post("/kiosk/answer", choice="accord")
        user.post("/kiosk/answer", choice="ne_sait_pas")
        assert "Merci pour votre avis !" in user.page
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            rows = await exported(http, database)
    assert csv_answers(rows) == [("kiosk", "accord", "ne_sait_pas")]


async def test_on_telegram(world: World) -> None:
    response = await world.deliver(world.users.text(CHAT, "/start avis"))
    assert response.status_code == 200
    question = await world.until_text(CHAT, "Les bus passent assez souvent.")
    labels = [b["text"] for b in world.users.buttons(CHAT, question["message_id"])]
    assert labels[:3] == ["👍 D'accord", "👎 Pas d'accord", "🤷 Je ne sais pas"]
    await world.press(CHAT, "Pas d'accord", expect="Les rues sont bien éclairées le soir.")
    await world.deliver(world.users.text(CHAT, "je ne sais pas"))
    await world.until_text(CHAT, "Merci pour votre avis !")
    async with httpx.AsyncClient(base_url=world.url, timeout=30) as http:
        rows = await exported(http, world.services.db)
    assert csv_answers(rows) == [("telegram", "desaccord", "ne_sait_pas")]


async def test_by_sms(twilio: Twilio, client: httpx.AsyncClient, phone_services: Services) -> None:
    [first] = messages(await twilio.sms("AVIS"))
    assert first.startswith(f"{WELCOME}\n\nLes bus passent assez souvent.")
    assert "1 - D'accord\n2 - Pas d'accord\n3 - Je ne sais pas" in first
    [second] = messages(await twilio.sms("1"))
    assert second.startswith("Les rues sont bien éclairées le soir.")
    [end] = messages(await twilio.sms("pas d'accord"))
    assert end == "Merci pour votre avis !"
    rows = await exported(client, phone_services.db)
    assert csv_answers(rows) == [("sms", "accord", "desaccord")]


async def test_on_the_voice_menu(twilio: Twilio, client: httpx.AsyncClient, phone_services: Services) -> None:
    call = Call(twilio)
    doc = await call.start()
    assert heard(doc)[:2] == [WELCOME, "Les bus passent assez souvent."]
    assert "Pour Je ne sais pas, tapez 3." in heard(doc)
    doc = await call.press("3")
    assert heard(doc)[0] == "Les rues sont bien éclairées le soir."
    doc = await call.press("1")
    assert heard(doc) == ["Merci pour votre avis !"]
    rows = await exported(client, phone_services.db)
    assert csv_answers(rows) == [("voice", "ne_sait_pas", "accord")]
