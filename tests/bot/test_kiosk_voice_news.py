"""Spoken answers recorded at the kiosk, and news for later: a phone number or a printed card."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database
from storage.models import Answer, Participant
from storage.privacy import Crypto
from tests.bot.test_kiosk import KioskUser
from tests.conftest import TEST_SECRET
from tests.live import live_server

WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000
NEWS_FLOW = """\
spec_version: 2
id: nouvelles
version: 1
title: "Nouvelles"
languages: [fr]
steps:
  - id: accord
    kind: consent
    result: accord
    say: {text: "Vous acceptez ?", easy: "Vous acceptez ?"}
    choices:
      - {key: oui, label: "Oui", icon: "👍"}
      - {key: non, label: "Non", icon: "👎", next: refus}
  - id: suivi
    kind: yesno
    result: suivi
    say: {text: "Voulez-vous des nouvelles ?", easy: "Voulez-vous des nouvelles ?"}
    choices:
      - {key: non, label: "Non, merci", icon: "🙅"}
      - {key: oui, label: "Oui, je veux savoir", icon: "📬"}
  - id: fin
    kind: end
    say: {text: "Merci !", easy: "Merci !"}
  - id: refus
    kind: end
    say: {text: "D'accord.", easy: "D'accord."}
"""


@pytest.fixture
def base(services: Services) -> Iterator[str]:
    app = create_app(services.settings, services)
    with live_server(app) as url:
        yield url


def at_open_question(user: KioskUser) -> None:
    user.get()
    user.post("/kiosk/start", flow="demo")
    for key in ("standard", "oui", "bien"):
        user.post("/kiosk/answer", choice=key)
    user.post("/kiosk/answer", keys="maison", multi="1")
    user.post("/kiosk/answer", choice="cmd:passer")
    assert 'class="recorder"' in user.page


def record(user: KioskUser, body: bytes = WEBM, kind: str = "audio/webm;codecs=opus",
           csrf: str | None = None) -> httpx.Response:  # fmt: skip
    headers = {"content-type": kind, "x-csrf-token": csrf if csrf is not None else user.field("csrf"),
               "x-step": "priorite", "x-nonce": user.field("nonce") + "-voix"}  # fmt: skip
    return user.http.post("/kiosk/voix", content=body, headers=headers)


def test_a_spoken_answer_is_kept_with_the_recordings_and_erased_with_the_person(
    base: str, services: Services
) -> None:
    user = KioskUser(base)
    at_open_question(user)
    response = record(user)
    assert response.status_code == 200 and response.json() == {"next": "/kiosk"}
    assert "Merci, votre message vocal est enregistré." in user.get()
    with services.db.sessions() as session:
        ref = session.scalar(select(Answer.audio_ref).where(Answer.result == "priorite"))
    assert ref is not None and ref.startswith("kiosk/") and ref.endswith(".webm")
    recordings = services.settings.data_dir / "recordings"
    assert (recordings / ref).read_bytes() == WEBM
    user.post("/kiosk/answer", choice="cmd:effacer")
    user.post("/kiosk/answer", choice="oui")
    assert not (recordings / ref).exists()


@pytest.mark.parametrize("body,kind,csrf,status", [
    (WEBM, "audio/webm", "forged", 403),
    (WEBM, "text/html", None, 415),
    (b"<html>not audio</html>", "audio/webm", None, 415),
    (b"\x1a\x45\xdf\xa3" + b"\x00" * 6_000_000, "audio/webm", None, 413),
])  # fmt: skip
def test_a_bad_recording_is_refused_and_nothing_is_kept(
    base: str, services: Services, body: bytes, kind: str, csrf: str | None, status: int
) -> None:
    user = KioskUser(base)
    at_open_question(user)
    response = record(user, body, kind, csrf)
    assert response.status_code == status and response.json()["error"]
    user.get()
    assert user.question() == "Qu'est-ce qui doit changer en premier ?"
    folder = services.settings.data_dir / "recordings" / "kiosk"
    assert not folder.exists() or not any(folder.iterdir())


@pytest.fixture
def news(settings: Settings, sqlite_database: Database, tmp_path: Path) -> Iterator[tuple[str, Services]]:
    """A live kiosk on a flow that asks for news."""
    flows = tmp_path / "news-flows"
    flows.mkdir()
    (flows / "nouvelles.yml").write_text(NEWS_FLOW, encoding="utf-8")
    services = build_services(dataclasses.replace(settings, flows_dir=flows, default_flow="nouvelles"),
                              sqlite_database)  # fmt: skip
    with live_server(create_app(services.settings, services)) as url:
        yield url, services


def address_of(services: Services) -> str:
    with services.db.sessions() as session:
        person = session.scalars(select(Participant)).one()
        return Crypto(TEST_SECRET).decrypt(person.address_enc)


def test_a_person_who_wants_news_leaves_a_number_that_goes_with_their_answers(
    news: tuple[str, Services],
) -> None:
    base, services = news
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="nouvelles")
    user.post("/kiosk/answer", choice="oui")
    user.post("/kiosk/answer", choice="oui")
    assert 'href="/kiosk/nouvelles"' in user.page and 'href="/kiosk/carte"' in user.page
    form = user.http.get("/kiosk/nouvelles").text
    assert "Nous gardons votre numéro en secret." in form
    user.page = form
    refused = user.http.post("/kiosk/nouvelles", data={"csrf": user.field("csrf"), "phone": "06 12 34 56 78"})
    assert refused.status_code == 400 and "Cochez la case" in refused.text
    wrong = user.http.post("/kiosk/nouvelles", data={"csrf": user.field("csrf"), "phone": "06 12",
                                                      "consent": "oui"})  # fmt: skip
    assert wrong.status_code == 400 and "pas complet" in wrong.text
    given = {"csrf": user.field("csrf"), "phone": "06 12 34 56 78", "consent": "oui"}
    saved = user.http.post("/kiosk/nouvelles", data=given)
    assert saved.status_code == 200 and "finit par 78" in saved.text
    assert "0612345678" not in saved.text and "+33612345678" not in saved.text
    assert address_of(services) == "+33612345678"  # encrypted as the address news is sent to
    user.page = saved.text
    user.post("/kiosk/answer", choice="cmd:effacer")
    user.post("/kiosk/answer", choice="oui")
    assert "Vos réponses sont effacées" in user.page
    with services.db.sessions() as session:  # the person, and the number with them, are gone
        assert session.scalars(select(Participant)).all() == []


def test_no_news_offer_for_a_person_who_said_no(news: tuple[str, Services]) -> None:
    base, _ = news
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="nouvelles")
    user.post("/kiosk/answer", choice="oui")
    user.post("/kiosk/answer", choice="non")
    assert "Merci !" in user.page and 'href="/kiosk/nouvelles"' not in user.page
    user.page = user.http.get("/kiosk/nouvelles").text
    given = {"csrf": user.field("csrf"), "phone": "06 12 34 56 78", "consent": "oui"}
    refused = user.http.post("/kiosk/nouvelles", data=given)
    assert refused.status_code == 400 and "Répondez d'abord aux questions" in unescape(refused.text)


def test_the_card_says_when_and_where_or_that_it_will_be_announced(
    settings: Settings, sqlite_database: Database, base: str
) -> None:
    card = httpx.get(f"{base}/kiosk/carte").text
    assert "La date des résultats sera annoncée ici" in card and "Imprimer la carte" in card
    dated = dataclasses.replace(settings, raw={**settings.raw, "results": {
        "date": "le 15 mars 2027", "place": "à la Maison des solidarités"}})  # fmt: skip
    services = build_services(dataclasses.replace(dated, flows_dir=settings.flows_dir), sqlite_database)
    with live_server(create_app(services.settings, services)) as url:
        card = httpx.get(f"{url}/kiosk/carte").text
    assert "le 15 mars 2027" in card and "à la Maison des solidarités" in card
    assert "annoncée" not in card
