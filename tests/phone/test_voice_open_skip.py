"""A caller can skip an optional open question with #, as they were told they could."""

from __future__ import annotations

import dataclasses

import pytest

from bot.container import Services
from bot.settings import Settings
from tests.phone.conftest import Twilio, stored_answers
from tests.phone.test_voice_webhook import Call, heard
from tests.round_two.seed import DEFINITIONS


@pytest.fixture
def phone_settings(phone_settings: Settings) -> Settings:
    """Calls on the shipped questionnaire, whose open questions are optional."""
    return dataclasses.replace(phone_settings, flows_dir=DEFINITIONS, default_flow="egalite")


async def test_hash_before_the_beep_skips_an_optional_open_question(
    twilio: Twilio, phone_services: Services
) -> None:
    call = Call(twilio)
    doc = await call.start()
    for _ in range(20):  # answer 1 to every question, validate each multiple choice, until one is open
        if any(e.tag == "Record" for e in doc.iter()):
            break
        doc = await call.press("#" if "Quand vous avez fini, tapez dièse." in heard(doc) else "1")
    said = heard(doc)
    assert "que faut-il changer en premier ?" in said[0]
    assert "Pour passer la question, tapez dièse." in said
    assert said.index("Pour passer la question, tapez dièse.") < said.index(
        "Parlez après le bip. Quand vous avez fini, tapez dièse."
    )
    doc = await call.press("#")
    assert "que faut-il changer en premier" not in heard(doc)[0]  # the next question
    assert not any(e.tag == "Record" for e in doc.iter())
    assert "priorite" not in stored_answers(phone_services)
