"""Long polling and the `porte-voix telegram` commands, against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.channels.telegram.config import derived_secret
from bot.cli import main
from bot.cli.telegram import poll_until_stopped
from bot.settings import Settings
from storage.db import Database
from storage.models import Participant
from tests.channels.telegram_world import FLOWS, telegram_env, world_settings
from tests.conftest import TEST_SECRET
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users

CHAT = 8002
ROOT = Path(__file__).resolve().parents[2]


def shown(fake: FakeTelegram, fragment: str) -> bool:
    """Say whether the person sees a message containing a fragment."""
    return any(fragment in m.get("text", "") for m in fake.chat(CHAT))


async def test_polling_handles_updates_in_order_and_confirms_them(
    fake_telegram: FakeTelegram,
    users: Users,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    fake_telegram.state.webhook = {"url": "https://old.example.org/hook", "secret_token": None}
    settings = world_settings(settings, "http://127.0.0.1:9")
    stop = asyncio.Event()
    polling = asyncio.create_task(poll_until_stopped(settings, stop))
    fake_telegram.enqueue(users.text(CHAT, "/start parcours"))
    await fake_telegram.wait_for(lambda: shown(fake_telegram, "Comment préférez-vous lire"))
    fake_telegram.enqueue(users.press(CHAT, "Facile à lire"))
    fake_telegram.enqueue(users.text(CHAT, "non"))  # answers the next question, once asked
    await fake_telegram.wait_for(lambda: shown(fake_telegram, "Vous acceptez ?"))
    stop.set()
    assert await asyncio.wait_for(polling, 20) == 3
    assert fake_telegram.state.webhook is None  # polling removed the old webhook first
    assert fake_telegram.state.updates == []  # every handled update was confirmed
    lecture = next(m for m in fake_telegram.chat(CHAT) if "Comment préférez" in m["text"])
    assert lecture["text"].endswith("Votre réponse : 📗 Facile à lire")
    db = Database(settings.database_url)
    with db.sessions() as session:
        participant = session.scalars(select(Participant)).one()
        assert participant.easy and not participant.audio
    db.dispose()


def cli_env(fake: FakeTelegram, tmp_path: Path, public_url: str) -> dict[str, str]:
    """Return the environment of a `porte-voix` process talking to the fake Bot API."""
    config = tmp_path / "config.yml"
    config.write_text(f"public_base_url: {public_url}\nflows_dir: {FLOWS}\n"
                      "default_flow: parcours\ntelegram:\n  poll_timeout_seconds: 1\n")  # fmt: skip
    return {
        **telegram_env(fake),
        "PORTE_VOIX_CONFIG": str(config),
        "PORTE_VOIX_SECRET_KEY": TEST_SECRET,
        "PORTE_VOIX_MODE": "test",
        "PORTE_VOIX_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def test_set_webhook_registers_the_public_url_with_the_secret(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = cli_env(fake_telegram, tmp_path, "https://porte-voix.example.org")
    result = CliRunner().invoke(main, ["telegram", "set-webhook"], env=env)
    assert result.exit_code == 0, result.output
    assert "webhook set: https://porte-voix.example.org/webhooks/telegram" in result.output
    hook = fake_telegram.state.webhook
    assert hook is not None and hook["url"] == "https://porte-voix.example.org/webhooks/telegram"
    assert hook["secret_token"] == derived_secret(TEST_SECRET, "porte-voix telegram webhook")
    assert hook["allowed_updates"] == ["message", "callback_query"]
    assert TEST_SECRET not in result.output and hook["secret_token"] not in result.output
    env["TELEGRAM_BOT_TOKEN"] = ""
    missing = CliRunner().invoke(main, ["telegram", "set-webhook"], env=env)
    assert missing.exit_code != 0 and "TELEGRAM_BOT_TOKEN" in missing.output


def test_poll_command_stops_gracefully_on_ctrl_c(
    fake_telegram: FakeTelegram, users: Users, tmp_path: Path
) -> None:
    env = {**os.environ, **cli_env(fake_telegram, tmp_path, "http://127.0.0.1:9")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "telegram", "poll"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        fake_telegram.enqueue(users.text(CHAT, "/start parcours"))
        deadline = time.monotonic() + 30
        while not shown(fake_telegram, "Comment préférez-vous lire"):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the poll command handled nothing"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "stopped; updates handled: 1" in output
    assert fake_telegram.state.updates == []
