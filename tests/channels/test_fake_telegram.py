"""The fake Bot API answers the real python-telegram-bot client like Telegram does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users


def make_bot(fake: FakeTelegram) -> Bot:
    """Return a PTB bot talking to the fake server."""
    return Bot(fake.token, base_url=f"{fake.base_url}/bot", base_file_url=f"{fake.base_url}/file/bot")


async def test_send_message_with_keyboard_is_recorded_as_the_user_sees_it(
    fake_telegram: FakeTelegram, users: Users
) -> None:
    users.text(42, "bonjour")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("🙂 Oui", callback_data="a|oui")]])
    async with make_bot(fake_telegram) as bot:
        assert bot.username == "porte_voix_test_bot"
        sent = await bot.send_message(42, "Vous &amp; moi &lt;3", parse_mode="HTML", reply_markup=keyboard)
        assert sent.text == "Vous & moi <3"
        with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
            await bot.send_message(42, "a < b", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            big = InlineKeyboardButton("x", callback_data="x" * 65)
            await bot.send_message(42, "x", reply_markup=InlineKeyboardMarkup([[big]]))
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(43, "jamais vu")
    [message] = fake_telegram.chat(42)
    assert message["text"] == "Vous & moi <3"
    assert users.buttons(42, message["message_id"])[0]["callback_data"] == "a|oui"


async def test_blocked_and_rate_limited_chats_answer_like_telegram(
    fake_telegram: FakeTelegram, users: Users
) -> None:
    users.text(42, "bonjour")
    fake_telegram.rate_limit(retry_after=3)
    async with make_bot(fake_telegram) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(42, "un")
        assert "3" in str(caught.value)
        await bot.send_message(42, "deux")
        fake_telegram.block(42)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(42, "trois")
    assert [m["text"] for m in fake_telegram.chat(42)] == ["deux"]


async def test_voice_upload_file_download_and_callback_answer(
    fake_telegram: FakeTelegram, users: Users, tmp_path: Path
) -> None:
    users.text(42, "bonjour")
    ogg = tmp_path / "a.ogg"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=d=0.5",
            "-c:a",
            "libopus",
            str(ogg),
        ],
        check=True,
    )
    async with make_bot(fake_telegram) as bot:
        with ogg.open("rb") as handle:
            sent = await bot.send_voice(42, handle, duration=1)
        assert sent.voice is not None
        assert fake_telegram.calls("sendVoice")[0].files["voice"].data == ogg.read_bytes()
        update = users.voice(42, b"OggS-recording", duration=2)
        file = await bot.get_file(update["message"]["voice"]["file_id"])
        target = await file.download_to_drive(tmp_path / "in.oga")
        assert target.read_bytes() == b"OggS-recording"
        press = users.press_data(42, sent.message_id, "whatever")
        query_id = press["callback_query"]["id"]
        assert await bot.answer_callback_query(query_id, text="Merci")
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)


async def test_get_updates_long_polls_and_conflicts_with_a_webhook(
    fake_telegram: FakeTelegram, users: Users
) -> None:
    async with make_bot(fake_telegram) as bot:
        assert await bot.get_updates(timeout=0) == ()
        first = users.text(42, "un")
        fake_telegram.enqueue(first)
        fake_telegram.enqueue(users.text(42, "deux"))
        updates = await bot.get_updates(timeout=1)
        assert [u.message.text for u in updates if u.message] == ["un", "deux"]
        updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        assert updates == ()
        await bot.set_webhook("http://127.0.0.1:9/webhooks/telegram", secret_token="s3cr3t")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        with pytest.raises(BadRequest, match=r"(?i)unallowed characters"):
            await bot.set_webhook("http://127.0.0.1:9/x", secret_token="pas de secret!")
