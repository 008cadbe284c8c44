"""Round two on every channel: a statement shown, three answers, each vote saved when given.

The deliberation flow runs through the app's HTTP endpoints with two approved statements; the
votes land in the votes table whatever the channel, and a proposal waits for moderation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.container import Services, build_services
from bot.settings import Settings
from storage.db import Database
from storage.models import Answer
from tests.bot.test_kiosk import KioskUser
from tests.channels.telegram_world import Setup, World, running_world
from tests.live import live_server
from tests.phone.conftest import Twilio, messages
from tests.phone.test_voice_webhook import Call, heard
from tests.round_two.seed import DEFINITIONS, proposals, saved_votes, shown, write_statements

CHAT = 7202


@pytest.fixture
def phone_settings(phone_settings: Settings) -> Settings:
    """The phone channels on the shipped flows, round two first."""
    return dataclasses.replace(phone_settings, flows_dir=DEFINITIONS, default_flow="deliberation")


@pytest.fixture
async def world(telegram_setup: Setup) -> AsyncIterator[World]:
    """The app and the fake Bot API, on the shipped flows."""
    async with running_world(telegram_setup, DEFINITIONS, "egalite") as world:
        yield world


def test_on_the_kiosk(settings: Settings, database: Database) -> None:
    ids = write_statements(database)
    settings = dataclasses.replace(settings, flows_dir=DEFINITIONS)
    with live_server(create_app(settings, build_services(settings, database))) as base:
        user = KioskUser(base)
        user.get()
        assert 'value="deliberation"' in user.page  # round two can be chosen on the start page
        user.post("/kiosk/start", flow="deliberation")
        assert "Vous acceptez de donner votre avis" in user.page or "Acceptez-vous" in user.page
        user.post("/kiosk/answer", choice="oui")  # a newcomer gives consent before any vote
        first = user.question()
        assert first.startswith("Idée 1 sur 2 :")
        assert "👍" in user.page and "👎" in user.page and "🤷" in user.page
        user.post("/kiosk/answer", choice=button(user.page, "agree"))
        second = user.question()
        assert second.startswith("Idée 2 sur 2 :")
        user.post("/kiosk/answer", choice=button(user.page, "pass"))
        user.post("/kiosk/answer", text="Des bancs dans les parcs.")
        user.post("/kiosk/answer", choice="oui")
        assert "Merci beaucoup" in user.page
    assert saved_votes(database) == [(shown(first, ids), "agree"), (shown(second, ids), "pass")]
    assert proposals(database) == [("Des bancs dans les parcs.", "proposed")]


def button(page: str, vote: str) -> str:
    """Return the key a kiosk button of this vote sends (the vote and the card it is for)."""
    found = re.search(rf'value="({vote}:\d+)"', page)
    assert found, page
    return found.group(1)


async def test_on_telegram_an_old_button_is_stale_and_a_person_who_stops_keeps_their_vote(
    world: World,
) -> None:
    ids = write_statements(world.services.db)
    await world.deliver(world.users.text(CHAT, "/start deliberation"))
    await world.until_text(CHAT, "Acceptez-vous de donner votre avis")
    await world.press(CHAT, "Oui, j'accepte", expect="Idée 1 sur 2")
    question = await world.until_text(CHAT, "Idée 1 sur 2")
    labels = [b["text"] for b in world.users.buttons(CHAT, question["message_id"])]
    assert labels[:3] == ["👍 D'accord", "👎 Pas d'accord", "🤷 Je passe"]
    await world.press(CHAT, "Pas d'accord", expect="Idée 2 sur 2")
    await world.deliver(world.users.press(CHAT, "D'accord", message_id=question["message_id"]))
    await world.until_text(CHAT, "Ce bouton correspond à une ancienne question.")
    await world.deliver(world.users.text(CHAT, "/stop"))
    assert saved_votes(world.services.db) == [(shown(question["text"], ids), "disagree")]


async def test_by_sms_with_numbers_then_erased(twilio: Twilio, phone_services: Services) -> None:
    ids = write_statements(phone_services.db)
    assert "Acceptez-vous" in " ".join(messages(await twilio.sms("Bonjour")))
    [first] = messages(await twilio.sms("1"))
    assert "Idée 1 sur 2 :" in first
    assert "1 - D'accord\n2 - Pas d'accord\n3 - Je passe" in first
    [second] = messages(await twilio.sms("1"))
    assert second.startswith("Idée 2 sur 2 :")
    [proposal] = messages(await twilio.sms("2"))
    assert "autre idée" in proposal or "proposer une idée" in proposal
    expected = [(shown(first, ids), "agree"), (shown(second, ids), "disagree")]
    assert saved_votes(phone_services.db) == expected
    await twilio.sms("EFFACER")
    await twilio.sms("OUI")
    assert saved_votes(phone_services.db) == []


async def test_on_the_voice_menu(twilio: Twilio, phone_services: Services) -> None:
    ids = write_statements(phone_services.db)
    call = Call(twilio)
    assert any("Acceptez-vous" in line for line in heard(await call.start()))
    said = heard(await call.press("1"))
    card = next(line for line in said if "Idée 1 sur 2" in line)
    assert "Pour Je passe, tapez 3." in said
    said = heard(await call.press("3"))
    following = next(line for line in said if "Idée 2 sur 2" in line)
    heard(await call.press("1"))
    assert saved_votes(phone_services.db) == [(shown(card, ids), "pass"), (shown(following, ids), "agree")]


async def test_votes_are_not_answers_of_the_flow(twilio: Twilio, phone_services: Services) -> None:
    write_statements(phone_services.db)
    await twilio.sms("Bonjour")
    await twilio.sms("1")  # consent
    await twilio.sms("1")  # a vote
    with phone_services.db.transaction() as session:
        assert session.scalars(select(Answer.step)).all() == ["consentement"]  # the vote is not one
    assert len(saved_votes(phone_services.db)) == 1


async def test_a_newcomer_who_refuses_consent_never_sees_a_statement(
    twilio: Twilio, phone_services: Services
) -> None:
    write_statements(phone_services.db)
    await twilio.sms("Bonjour")
    [reply] = messages(await twilio.sms("2"))  # Non, merci
    assert "merci de votre temps" in reply.lower() and "Idée" not in reply
    assert "Idée" not in " ".join(messages(await twilio.sms("1")))
    assert saved_votes(phone_services.db) == []


async def test_a_person_who_already_gave_consent_is_not_asked_again(
    twilio: Twilio, phone_services: Services
) -> None:
    write_statements(phone_services.db)
    await twilio.sms("Bonjour")
    await twilio.sms("1")  # consent, given once
    await twilio.sms("1")
    await twilio.sms("2")
    assert "Merci beaucoup" in " ".join(messages(await twilio.sms("passer")))
    replies = " ".join(messages(await twilio.sms("deliberation")))  # a new round-two run
    assert "Acceptez-vous" not in replies
    assert "déjà donné votre avis sur toutes les idées" in replies  # both were voted on
