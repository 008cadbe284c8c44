"""The kiosk through real HTTP: a full journey by taps, resume, and bad inputs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.channels.base import OutboundMessage
from bot.container import Services
from storage.models import Answer, OutboxMessage
from tests.live import live_server


class KioskUser:
    """A browser-like client: keeps cookies, reads the hidden fields of the page."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=True, timeout=10)
        self.page = ""

    def get(self) -> str:
        response = self.http.get("/kiosk")
        assert response.status_code == 200
        self.page = response.text
        return self.page

    def field(self, name: str) -> str:
        match = re.search(rf'name="{name}" value="([^"]*)"', self.page)
        assert match, f"no field {name} in page"
        return unescape(match.group(1))

    def post(self, path: str, **data: object) -> httpx.Response:
        form = {"csrf": self.field("csrf"), "nonce": self.field("nonce"), **data}
        if "step" not in data and 'name="step"' in self.page:
            form["step"] = self.field("step")
        response = self.http.post(path, data=form)  # type: ignore[arg-type]
        self.page = response.text
        return response

    def question(self) -> str:
        match = re.search(r'<div class="bubble prompt question" id="question">(.*?)</div>', self.page, re.S)
        assert match, "no question on the page"
        return " ".join(unescape(p) for p in re.findall(r"<p>(.*?)</p>", match.group(1)))


@pytest.fixture
def base(services: Services) -> Iterator[str]:
    app = create_app(services.settings, services)
    with live_server(app) as url:
        yield url


def test_full_journey_by_taps(base: str, services: Services) -> None:
    user = KioskUser(base)
    start = user.get()
    assert '<html lang="fr">' in start and 'name="mode" value="audio"' in start
    assert user.post("/kiosk/start", flow="demo").status_code == 200
    assert user.question() == "Comment voulez-vous lire ?"
    assert 'value="cmd:aide"' in user.page and "Répéter" in user.page
    assert "Question 1 sur 6" in user.page
    user.post("/kiosk/answer", choice="facile")
    assert user.question().startswith("Nous gardons vos réponses.")
    user.post("/kiosk/answer", choice="oui")
    user.post("/kiosk/answer", choice="bien")
    assert 'type="checkbox" name="keys" value="travail"' in user.page
    user.http.post("/kiosk/answer", data={"csrf": user.field("csrf"), "nonce": user.field("nonce"),
                                          "step": "sujets", "keys": ["travail", "maison"],
                                          "multi": "1"})  # fmt: skip
    user.get()
    assert user.question() == "Quel âge avez-vous ?"
    assert "Passer" in user.page
    user.post("/kiosk/answer", choice="30-59")
    assert 'name="text"' in user.page
    user.post("/kiosk/answer", text="Des pistes cyclables éclairées")
    assert 'Vous avez dit : "Des pistes cyclables éclairées"' in unescape(user.page)
    user.post("/kiosk/answer", choice="oui")
    assert "Merci !" in user.page and "Nouvelle personne" in user.page
    with services.db.sessions() as session:
        saved = {a.result: a.value for a in session.scalars(select(Answer))}
    assert saved == {"accord": "oui", "humeur": "bien", "sujets": "travail,maison", "age": "30-59",
                     "priorite": "Des pistes cyclables éclairées"}  # fmt: skip


def test_leave_and_come_back_resumes_at_the_same_step(base: str) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    user.post("/kiosk/answer", choice="standard")
    user.post("/kiosk/answer", choice="oui")
    cookies = user.http.cookies
    user.http.close()
    back = KioskUser(base)
    back.http.cookies = cookies
    back.get()
    assert back.question() == "Comment allez-vous aujourd'hui ?"


def test_unknown_choice_key_is_explained_and_changes_nothing(base: str) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    response = user.post("/kiosk/answer", choice="n-importe-quoi")
    assert response.status_code == 200
    assert "Je n&#39;ai pas compris" in user.page or "Je n'ai pas compris" in user.page
    assert user.question() == "Comment voulez-vous lire ?"


def test_ten_thousand_characters_are_refused_and_the_run_is_intact(base: str, services: Services) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    for key in ("standard", "oui", "bien"):
        user.post("/kiosk/answer", choice=key)
    user.post("/kiosk/answer", choice="_valider")  # nothing chosen yet: asked to pick one
    user.post("/kiosk/answer", choice="maison")
    user.post("/kiosk/answer", choice="_valider")
    user.post("/kiosk/answer", choice="cmd:passer")
    response = user.post("/kiosk/answer", text="a" * 10_000)
    assert response.status_code == 413
    assert "trop long" in user.page and "Vos réponses sont gardées" in user.page
    assert user.question() == "Qu'est-ce qui doit changer en premier ?"
    with services.db.sessions() as session:
        assert {a.result for a in session.scalars(select(Answer))} == {"accord", "humeur", "sujets"}


def test_tampered_cookie_gives_a_fresh_session(base: str) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    user.http.cookies.set("pv_kiosk", "forged.value.signature", domain="127.0.0.1")
    page = user.http.get("/kiosk")
    assert page.status_code == 200
    assert "Bienvenue" in page.text and "Traceback" not in page.text


def test_missing_csrf_token_is_refused_and_saves_nothing(base: str, services: Services) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    response = user.http.post("/kiosk/answer", data={"choice": "standard", "nonce": "x"})
    assert response.status_code == 403
    assert "expiré" in response.text
    again = user.get()
    assert "Comment voulez-vous lire ?" in again


def test_double_submit_is_saved_once(base: str, services: Services) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    user.post("/kiosk/answer", choice="standard")
    form = {"csrf": user.field("csrf"), "nonce": user.field("nonce"), "step": "accord", "choice": "oui"}
    user.http.post("/kiosk/answer", data=form)
    user.http.post("/kiosk/answer", data=form)
    user.get()
    assert user.question() == "Comment allez-vous aujourd'hui ?"


def test_healthz(base: str) -> None:
    response = httpx.get(f"{base}/healthz")
    assert response.json() == {"status": "ok", "flows": ["demo"]}


async def test_the_page_shows_the_replies_and_a_message_for_later_is_never_reported_sent(
    base: str, services: Services
) -> None:
    user = KioskUser(base)
    user.get()
    user.post("/kiosk/start", flow="demo")
    user.post("/kiosk/answer", choice="standard")
    with services.db.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage)))
        assert rows and {row.status for row in rows} == {"sent"}  # shown in the page, nothing queued
        feedback = OutboundMessage(text="Voici ce que nous avons fait.").to_payload()
        later = OutboxMessage(participant_id=rows[0].participant_id, channel="kiosk",
                              status="pending", payload=feedback)  # fmt: skip
        session.add(later)
        session.flush()
        later_id = later.id
    assert await services.dispatcher.dispatch([later_id]) == 0
    with services.db.sessions() as session:
        row = session.get(OutboxMessage, later_id)
        assert row is not None and row.status != "sent"
        assert row.error == "kiosk cannot send a message later"
