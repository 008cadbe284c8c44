"""The egalite campaign by SMS, from the keyword to the last message, over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.channels import registry
from bot.container import Services, build_services
from bot.settings import Settings
from flows.gsm7 import budget
from nlu.interpretation import Expectation, Interpretation, Interpreter
from storage.db import Database
from storage.models import Answer, SafetyFlag
from tests.phone.conftest import PUBLIC, Twilio, messages, outbox, stored_answers

DEFINITIONS = Path(__file__).resolve().parents[2] / "flows" / "definitions"
# No audio question by SMS: reading mode, then consent.
# No audio question by SMS: reading mode, then consent.
SCRIPT = ["EGALITE", "2", "1", "1 2", "1", "1", "2", "3", "Des crèches le soir", "1",
          "2", "creteil", "1", "1", "3", "2", "1"]  # fmt: skip


@pytest.fixture
async def egalite(
    phone_settings: Settings, sqlite_database: Database, phone_env: dict[str, str]
) -> AsyncIterator[tuple[Twilio, Services]]:
    settings = dataclasses.replace(phone_settings, flows_dir=DEFINITIONS, default_flow="egalite")
    services = build_services(settings, sqlite_database)
    services.channels.update(registry.build_channels(settings, phone_env))
    app = create_app(settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PUBLIC) as http:
        yield Twilio(http), services


async def test_the_egalite_campaign_by_sms(egalite: tuple[Twilio, Services]) -> None:
    twilio, services = egalite
    bodies = []
    for text in SCRIPT:
        replies = messages(await twilio.sms(text))
        assert len(replies) == 1, (text, replies)
        bodies += replies
    assert all(budget(body).encoding == "GSM-7" for body in bodies)
    assert bodies[0].startswith("Bonjour ! Le département prépare son plan")
    assert "1 - Facile à lire\n2 - Texte normal" in bodies[0]
    assert bodies[-1].startswith("Merci beaucoup !")
    # The typed commune is matched to the official list and confirmed with "1".
    assert bodies[SCRIPT.index("creteil")].startswith("Vous habitez à Créteil ?\n\n1 - Oui\n2 - Non")
    assert stored_answers(services) == {
        "consentement": "oui",
        "themes_quotidien": "travail,taches_domestiques", "themes_dehors": "espace_public",
        "essai_echelle": "bien", "ressenti": "moyen", "securite_soir": "peur",
        "priorite": "Des crèches le soir", "age": "30-44", "commune": "Créteil", "genre": "femme",
        "vie_publique": "rarement", "volontaire": "non", "suivi": "non",
    }  # fmt: skip
    assert sum(row.segments or 0 for row in outbox(services)) == sum(budget(b).segments for b in bodies)


async def test_a_commune_is_never_themed(egalite: tuple[Twilio, Services]) -> None:
    twilio, services = egalite
    services.service.interpreter = Themed(services.service.interpreter)
    for text in SCRIPT[:SCRIPT.index("creteil")]:
        messages(await twilio.sms(text))
    (confirm,) = messages(await twilio.sms("CRETEIL"))
    assert confirm.startswith("Vous habitez à Créteil ?") and "Vous parlez" not in confirm
    messages(await twilio.sms("1"))
    with services.db.sessions() as session:
        themes = {a.result: (a.value, a.theme) for a in session.scalars(select(Answer))}
    assert themes["priorite"] == ("Des crèches le soir", "travail")  # the classifier did speak
    assert themes["commune"] == ("Créteil", None)


class Themed:
    """An interpreter that finds the theme "travail" in every free text (as a keen model may)."""

    def __init__(self, inner: Interpreter) -> None:
        self.inner = inner

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        """Interpret as the inner interpreter does, with a theme on anything that is no command."""
        meaning = self.inner.interpret(text, expects)
        return meaning if meaning.command or meaning.choice else dataclasses.replace(meaning, theme="travail")


async def test_a_text_after_the_end_keeps_the_answers(egalite: tuple[Twilio, Services]) -> None:
    twilio, services = egalite
    for text in SCRIPT:
        await twilio.sms(text)
    finished = stored_answers(services)
    [answer] = messages(await twilio.sms("OUI je viendrai a l atelier"))
    assert answer.startswith("Merci, vous avez déjà répondu")
    assert "envoyez 1" in answer and budget(answer).encoding == "GSM-7"
    assert stored_answers(services) == finished
async def test_sos_by_sms_sends_the_helplines_and_the_run_goes_on_where_it_was(
    egalite: tuple[Twilio, Services],
) -> None:
    twilio, services = egalite
    for text in ("EGALITE", "1", "1"):
        await twilio.sms(text)
    [reply] = messages(await twilio.sms("SOS"))
    helplines, question = reply.split("\n\n", 1)
    assert all(number in helplines for number in ("3919", "17", "119", "114"))
    assert "Voyez-vous des différences" in question  # the question it was on, asked again
    await twilio.sms("1")
    assert stored_answers(services)["themes_quotidien"] == "travail"
    help_text = messages(await twilio.sms("AIDE"))[0]
    assert "sos" in help_text.lower()  # the keyword is listed in the help
    with services.db.sessions() as session:
        assert session.query(SafetyFlag).count() == 0  # nothing was disclosed, nothing flagged
