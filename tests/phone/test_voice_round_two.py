"""A caller who finished round one reaches round two from the call's menu, once it is open."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bot.container import Services
from bot.settings import Settings
from tests.phone.conftest import Twilio
from tests.phone.test_voice_call_back import ANSWERED, finish_a_call
from tests.phone.test_voice_webhook import Call, heard
from tests.round_two.seed import DEFINITIONS, saved_votes, write_statements

ROUND_TWO = "Pour donner votre avis sur les idées des autres habitants, tapez 2."


@pytest.fixture
def phone_settings(phone_settings: Settings, tmp_path: Path) -> Settings:
    """The short test questionnaire as round one, and the shipped round two beside it."""
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(Path(phone_settings.flows_dir) / "demo.yml", flows)
    shutil.copy(DEFINITIONS / "deliberation.yml", flows)
    return dataclasses.replace(phone_settings, flows_dir=flows)


async def test_round_two_is_offered_only_once_it_has_statements(
    twilio: Twilio, phone_services: Services
) -> None:
    await finish_a_call(twilio, "CA" + "1" * 32)
    said = heard(await Call(twilio, call_sid="CA" + "2" * 32).start())
    assert said[0] == ANSWERED and ROUND_TWO not in said[1]
    write_statements(phone_services.db)
    call = Call(twilio, call_sid="CA" + "3" * 32)
    said = heard(await call.start())
    assert ROUND_TWO in said[1]
    said = heard(await call.press("2"))
    assert any("Idée 1 sur 2" in line for line in said)
    assert not any("Acceptez-vous" in line for line in said)  # consent was given in round one
    heard(await call.press("1"))
    assert [value for _statement, value in saved_votes(phone_services.db)] == ["agree"]
