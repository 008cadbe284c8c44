"""One kiosk, several people: a new person never carries on the last one's answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.container import Services
from storage.models import Answer, Participant
from tests.bot.test_kiosk import KioskUser
from tests.live import live_server


@pytest.fixture
def base(services: Services) -> Iterator[str]:
    app = create_app(services.settings, services)
    with live_server(app) as url:
        yield url


def finish_demo(user: KioskUser, mood: str = "bien") -> None:
    user.post("/kiosk/start", flow="demo", mode="standard")
    for key in ("standard", "oui", mood):
        user.post("/kiosk/answer", choice=key)
    user.post("/kiosk/answer", keys="maison", multi="1")
    user.post("/kiosk/answer", choice="cmd:passer")
    user.post("/kiosk/answer", text="Des bancs")
    user.post("/kiosk/answer", choice="oui")


def next_person(user: KioskUser) -> None:
    user.http.get("/kiosk/nouvelle")
    confirm = user.http.get("/kiosk/nouvelle").text
    assert "Une nouvelle personne commence ?" in confirm
    csrf = re.search(r'name="csrf" value="([^"]+)"', confirm)
    assert csrf
    user.page = user.http.post("/kiosk/nouvelle", data={"csrf": csrf.group(1)}).text


def moods(services: Services) -> dict[int, str]:
    with services.db.sessions() as session:
        rows = session.execute(select(Answer.participant_id, Answer.value).where(Answer.result == "humeur"))
        return {pid: value for pid, value in rows}


def test_a_finishes_b_starts_as_a_new_person_and_erases_only_b(base: str, services: Services) -> None:
    kiosk = KioskUser(base)
    kiosk.get()
    finish_demo(kiosk, "bien")
    assert "Nouvelle personne" in kiosk.page
    next_person(kiosk)
    assert "Bienvenue" in kiosk.page and 'name="mode"' in kiosk.page  # the welcome, not A's end
    finish_demo(kiosk, "mal")
    assert sorted(moods(services).values()) == ["bien", "mal"]  # two people, never merged
    kiosk.post("/kiosk/answer", choice="cmd:effacer")  # the end screen offers Effacer
    assert "Voulez-vous effacer toutes vos réponses ?" in kiosk.page
    kiosk.post("/kiosk/answer", choice="oui")
    assert "Vos réponses sont effacées" in kiosk.page
    assert "Bienvenue" in kiosk.page  # the next person starts afresh
    assert list(moods(services).values()) == ["bien"]  # A's answers remain
    with services.db.sessions() as session:
        assert len(session.scalars(select(Participant)).all()) == 1  # B left nothing behind


def test_the_end_and_welcome_offer_a_new_person_after_a_confirmation(base: str) -> None:
    kiosk = KioskUser(base)
    welcome = kiosk.get()
    assert 'href="/kiosk/nouvelle"' in welcome
    finish_demo(kiosk)
    assert 'href="/kiosk/nouvelle"' in kiosk.page
    refused = kiosk.http.post("/kiosk/nouvelle", data={"csrf": "forged"})
    assert refused.status_code == 403  # no silent hand-over from another page
    assert "Merci" in kiosk.get()  # still the same person


def test_a_pause_waits_for_the_person_to_choose_to_come_back(base: str) -> None:
    kiosk = KioskUser(base)
    kiosk.get()
    kiosk.post("/kiosk/start", flow="demo")
    kiosk.post("/kiosk/answer", choice="standard")
    assert 'data-idle="180"' in kiosk.page  # a question returns to the welcome after 3 minutes
    kiosk.post("/kiosk/answer", choice="cmd:pause")
    assert "Reprendre" in kiosk.page and "Nouvelle personne" in kiosk.page
    assert 'data-idle="0"' in kiosk.page and 'id="idle"' not in kiosk.page
    assert "Reprendre" in kiosk.get()  # coming back to the page does not resume by itself
    kiosk.post("/kiosk/answer", choice="cmd:repeter")
    assert kiosk.question().startswith("Acceptez-vous")


def test_idle_timer_starts_a_new_person(base: str, services: Services) -> None:
    kiosk = KioskUser(base)
    kiosk.get()
    kiosk.post("/kiosk/start", flow="demo")
    idle = re.search(r'<form method="post" action="/kiosk/nouvelle" id="idle" hidden>\s*'
                     r'<input type="hidden" name="csrf" value="([^"]+)">', kiosk.page)  # fmt: skip
    assert idle
    kiosk.page = kiosk.http.post("/kiosk/nouvelle", data={"csrf": idle.group(1)}).text
    assert "Bienvenue" in kiosk.page
    kiosk.post("/kiosk/start", flow="demo")
    assert kiosk.question() == "Comment voulez-vous lire ?"
    with services.db.sessions() as session:
        assert len(session.scalars(select(Participant)).all()) == 2


@pytest.mark.parametrize("mode,easy,sound", [("facile", True, False), ("audio", True, True),
                                             ("standard", False, False)])  # fmt: skip
def test_the_welcome_mode_applies_from_the_first_message(
    base: str, services: Services, mode: str, easy: bool, sound: bool
) -> None:
    kiosk = KioskUser(base)
    kiosk.get()
    kiosk.post("/kiosk/start", flow="demo", mode=mode)
    assert ("Bonjour." in kiosk.page) is easy and ("Bonjour et bienvenue." in kiosk.page) is not easy
    assert ("<audio" in kiosk.page) is sound
    assert ("Son : arrêter" in kiosk.page) is sound and ("Texte normal" in kiosk.page)


def test_every_screen_offers_help_in_danger_without_asking(base: str) -> None:
    kiosk = KioskUser(base)
    pages = [kiosk.get()]
    kiosk.post("/kiosk/start", flow="demo")
    pages.append(kiosk.page)
    kiosk.post("/kiosk/answer", choice="cmd:pause")
    pages.append(kiosk.page)
    pages.append(kiosk.http.get("/kiosk/nouvelle").text)
    assert all('href="/kiosk/aide-urgente"' in page for page in pages)
    sos = kiosk.http.get("/kiosk/aide-urgente").text
    for link in ('href="tel:3919"', 'href="tel:17"', 'href="sms:114"', 'href="tel:119"'):
        assert link in sos
    assert "<form" not in sos.split("<main", 1)[1]  # nothing to fill in


def test_the_question_screen_names_every_command_as_a_button(base: str) -> None:
    kiosk = KioskUser(base)
    kiosk.get()
    kiosk.post("/kiosk/start", flow="demo")
    values = set(re.findall(r'name="choice" value="(cmd:[a-z_]+)"', kiosk.page))
    assert values == {"cmd:aide", "cmd:repeter", "cmd:retour", "cmd:pause", "cmd:facile", "cmd:audio",
                      "cmd:stop", "cmd:effacer"}  # fmt: skip
