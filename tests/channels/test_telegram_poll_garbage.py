"""The poller survives garbage from the Bot API (in polling and in follow-ups) and keeps answering."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.cli.telegram import poll_until_stopped
from bot.settings import Settings
from tests.channels.telegram_world import telegram_env, world_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users

CHAT = 8003
GARBAGE = [b"<html>502 Bad Gateway</html>", b'{"ok": true, "result": {"unexpected": [1, 2]}}',
           b'{"ok": true}', b"[" * 5000, b'{"ok": false, "error_code": 400}']  # fmt: skip


def shown(fake: FakeTelegram, fragment: str) -> bool:
    """Say whether the person sees a message containing a fragment."""
    return any(fragment in m.get("text", "") for m in fake.chat(CHAT))


async def test_garbled_answers_are_logged_and_the_bot_keeps_answering(
    fake_telegram: FakeTelegram, users: Users, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    for name, value in telegram_env(fake_telegram).items():
        monkeypatch.setenv(name, value)
    # An earlier logging.config call (a migration's, say) may have disabled existing loggers.
    monkeypatch.setattr(logging.getLogger("bot.channels.telegram.poll"), "disabled", False)
    settings = world_settings(settings, "http://127.0.0.1:9")
    stop = asyncio.Event()
    polling = asyncio.create_task(poll_until_stopped(settings, stop))
    fake_telegram.enqueue(users.text(CHAT, "/start parcours"))
    await fake_telegram.wait_for(lambda: shown(fake_telegram, "Comment préférez-vous lire"), timeout=60)
    for body in GARBAGE:  # the follow-up of a press: its toast and the edit of the question
        fake_telegram.garble("answerCallbackQuery", body)
        fake_telegram.garble("editMessageText", body)
        fake_telegram.garble("editMessageReplyMarkup", body)
    fake_telegram.enqueue(users.press(CHAT, "Facile à lire"))
    toasts = fake_telegram.garbage["answercallbackquery"]
    await fake_telegram.wait_for(lambda: len(toasts) < len(GARBAGE), timeout=60)  # followed up
    for body in GARBAGE[:2]:  # each costs the poller a back-off (1 s, then 2 s)
        fake_telegram.garble("getUpdates", body)
    fake_telegram.enqueue(users.text(CHAT, "non"))
    await fake_telegram.wait_for(lambda: shown(fake_telegram, "Vous acceptez ?"), timeout=60)
    assert not polling.done()
    fake_telegram.garble("getUpdates", GARBAGE[1])  # the confirmation at shutdown gets garbage too
    stop.set()
    await asyncio.wait_for(polling, 20)
    assert any("follow-up failed" in r.getMessage() or "polling failed" in r.getMessage()
               for r in caplog.records)  # fmt: skip
