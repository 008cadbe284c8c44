"""The public page (no login) tells what became of the recommendations, in easy-read and with a real MP3."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.container import Services, build_services
from bot.settings import Settings
from dashboard import report_words
from dashboard.config import campaign_flows, dashboard_config
from dashboard.synthesis import build
from storage import report_back
from storage.db import Database
from storage.privacy import Crypto
from tests.conftest import TEST_SECRET
from tests.dashboard.seed import FLOW_YAML, add_people
from tests.report_back.helpers import plain

ANNE = "anne@example.org"
PEOPLE_WORDS = re.compile(r"\b(\d+)\s+(personnes?|participants?|habitants?|femmes?|hommes?)\b", re.I)


@pytest.fixture
def services(settings: Settings, database: Database, tmp_path: Path) -> Services:
    import dataclasses

    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "egalite.yml").write_text(FLOW_YAML, encoding="utf-8")
    return build_services(dataclasses.replace(settings, flows_dir=flows, default_flow="egalite"), database)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as http:
        yield http


def publish(services: Services) -> None:
    """Three people answered (a small group); the facilitators publish the report back."""
    add_people(services.db, Crypto(TEST_SECRET), [{"age": "30-44", "priorite": "Un bus", "suivi": "oui"}] * 3)
    config = dashboard_config(services.settings)
    flow = campaign_flows(services)["egalite"]
    with services.db.transaction() as session:
        easy = "\n".join(build(session, flow, config).easy)
        bus = report_back.add(session, "Un bus le dimanche matin", "Un bus le dimanche", "anne@example.org",
                              pictogram="transport")  # fmt: skip
        report_back.change(session, bus.id, "anne@example.org", status="not_adopted",
                           reason="Le budget de cette année est déjà pris.")  # fmt: skip
        light = report_back.add(session, "Éclairer le parc la nuit", "Plus de lumière au parc", ANNE)
        report_back.change(session, light.id, "anne@example.org", status="adopted")
        items = report_back.snapshot(report_back.recommendations(session))
        text, easy_all, spoken = report_words.compose("Merci pour vos réponses.", easy, items)
        report_back.publish(session, ANNE, intro_text="Merci pour vos réponses.", intro_easy=easy,
                            items=items, text=text, easy=easy_all, spoken=spoken, sms="-")  # fmt: skip


async def test_before_anything_is_published_the_page_says_so(client: httpx.AsyncClient) -> None:
    page = await client.get("/retours")
    assert page.status_code == 200
    assert "Les nouvelles ne sont pas encore prêtes." in plain(page.text)
    assert "<audio" not in page.text
    assert "/retours" not in (await client.get("/kiosk")).text  # the kiosk's welcome does not lead there yet


async def test_the_page_shows_each_status_with_its_reason_and_plays_a_real_mp3(
    client: httpx.AsyncClient, services: Services
) -> None:
    publish(services)
    page = await client.get("/retours")  # no cookie, no login
    assert page.status_code == 200
    words = plain(page.text)
    assert "❌ Pas adoptée : Ce n'est pas adopté. Le budget de cette année est déjà pris." in words
    assert "✅ Adoptée : C'est adopté." in words
    assert "🚌 Un bus le dimanche" in words and "Plus de lumière au parc" in words
    assert "Moins de 5 personnes ont répondu." in words  # the synthesis, under the small-group rule
    assert not [m.group(0) for m in PEOPLE_WORDS.finditer(words) if 0 < int(m.group(1)) < 5]
    assert "Un bus" not in words.split("Vos idées")[0]  # no participant's words in the synthesis shown
    source = re.search(r'<audio controls preload="none" src="(/audio/[0-9a-f]{64}\.mp3)"', page.text)
    assert source, page.text
    sound = await client.get(source.group(1))
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/mpeg"
    body = sound.content
    assert body[:3] == b"ID3" or (body[0] == 0xFF and body[1] & 0xE0 == 0xE0), body[:8]
    assert float(sound.headers["X-Audio-Duration"]) > 5  # the whole easy text, spoken

    standard = plain((await client.get("/retours?version=standard")).text)
    assert "Un bus le dimanche matin" in standard and "Éclairer le parc la nuit" in standard
    assert "Ce n'est pas adopté." not in standard  # the easy sentence belongs to the easy version
    standard_page = (await client.get("/retours?version=standard")).text
    other = re.search(r'src="(/audio/[0-9a-f]{64}\.mp3)"', standard_page)
    assert other and other.group(1) != source.group(1)  # the sound follows the text shown

    welcome = (await client.get("/kiosk")).text
    assert 'href="/retours?depuis=borne"' in welcome and "Les nouvelles" in plain(welcome)
    back = await client.get("/retours?depuis=borne")
    assert 'href="/kiosk"' in back.text
