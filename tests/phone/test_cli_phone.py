"""`porte-voix phone`: setup lists URLs and what is set, cost shows each step as an SMS."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

FLOWS = Path(__file__).resolve().parent.parent / "data" / "flows"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(f"flows_dir: {FLOWS}\npublic_base_url: https://vote.example.org\n"
                    "sms_gateway: {url: 'http://192.168.1.10:8080'}\n", encoding="utf-8")  # fmt: skip
    return path


def test_setup_names_the_webhooks_and_never_prints_a_secret(config: Path) -> None:
    env = {"PORTE_VOIX_CONFIG": str(config), "TWILIO_AUTH_TOKEN": "very-secret-token",
           "SMS_GATEWAY_SIGNING_KEY": "very-secret-key", "PORTE_VOIX_MODE": "test"}  # fmt: skip
    result = CliRunner().invoke(main, ["phone", "setup"], env=env)
    assert result.exit_code == 0, result.output
    assert "A message comes in: https://vote.example.org/webhooks/twilio/sms" in result.output
    assert "A call comes in:    https://vote.example.org/webhooks/twilio/voice" in result.output
    assert "TWILIO_AUTH_TOKEN: set" in result.output
    assert "SMS_GATEWAY_PASSWORD: MISSING" in result.output
    assert "very-secret" not in result.output


def test_cost_shows_every_step_as_an_sms(config: Path) -> None:
    env = {"PORTE_VOIX_CONFIG": str(config), "PORTE_VOIX_MODE": "test"}
    result = CliRunner().invoke(main, ["phone", "cost", "demo"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["accueil", "GSM-7", "21", "1"]
    assert any(line.startswith("refus") and "UCS-2" in line for line in lines)
    assert lines[-1] == "every step once: 9 segments"
    assert CliRunner().invoke(main, ["phone", "cost", "nope"], env=env).exit_code != 0
