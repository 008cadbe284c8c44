"""The Telegram channel sends what a participant should see, through the real PTB client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import TelegramConfig
from tests.fakes.audio import SpeakingAudio, probe_duration
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users

CHAT = 4242
NAV = [["cmd:aide", "Aide"], ["cmd:repeter", "Répéter"], ["cmd:retour", "Retour"],
       ["cmd:pause", "Pause"]]  # fmt: skip


def config_for(fake: FakeTelegram, tmp_path: Path) -> TelegramConfig:
    """Return a config pointing at the fake server, with fast pacing."""
    return TelegramConfig(token=fake.token, webhook_secret="hook-secret",
                          callback_secret="buttons-secret", api_base_url=fake.base_url,
                          data_dir=tmp_path, overall_rate=1000, chat_rate=100,
                          chat_burst=100)  # fmt: skip


@pytest.fixture
async def channel(
    fake_telegram: FakeTelegram, users: Users, tmp_path: Path
) -> AsyncIterator[TelegramChannel]:
    """A channel on the fake server, to a chat that has written to the bot."""
    users.text(CHAT, "/start")
    audio = SpeakingAudio(tmp_path / "clips")
    channel = TelegramChannel(config_for(fake_telegram, tmp_path), audio)
    yield channel
    await channel.aclose()


def question(**values: object) -> OutboundMessage:
    """A choice question in the participant's register."""
    fields: dict[str, object] = {
        "text": "Qui fait les courses <chez vous> ? Vous & votre famille ?",
        "buttons": (ButtonView("moi", "Moi", "🙋"), ButtonView("partage", "On partage", "🤝")),
        "expects": "choice", "step": "courses", "run_id": 3, "extra": {"nav": NAV},
    }  # fmt: skip
    fields.update(values)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


async def test_question_shows_text_exactly_and_pictured_buttons(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    result = await channel.send(str(CHAT), question())
    [shown] = fake_telegram.chat(CHAT)
    assert result.ok and result.external_id == str(shown["message_id"])
    assert shown["text"] == "Qui fait les courses <chez vous> ? Vous & votre famille ?"
    rows = [[b["text"] for b in row] for row in shown["reply_markup"]["inline_keyboard"]]
    assert rows == [["🙋 Moi"], ["🤝 On partage"], ["❓ Aide", "🔁 Répéter"],
                    ["⬅️ Retour", "⏸️ Pause"], ["🆘 Aide urgente"]]  # fmt: skip


async def test_long_text_arrives_in_parts_with_buttons_under_the_last(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    text = "Une phrase assez longue pour remplir un message entier. " * 100
    result = await channel.send(str(CHAT), question(text=text))
    shown = fake_telegram.chat(CHAT)
    assert len(shown) == 2 and result.external_id == str(shown[-1]["message_id"])
    assert "reply_markup" not in shown[0] and shown[1]["reply_markup"]
    assert all(m["text"].endswith("entier.") for m in shown)


async def test_blocked_user_is_reported_so_they_are_opted_out(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.block(CHAT)
    result = await channel.send(str(CHAT), question())
    assert not result.ok and result.blocked
    assert "blocked" in (result.error or "")
    assert fake_telegram.chat(CHAT) == []


async def test_short_retry_after_is_waited_out_long_one_goes_back_to_the_queue(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.rate_limit(retry_after=1, chat_id=CHAT)
    assert (await channel.send(str(CHAT), question())).ok
    assert [c.status for c in fake_telegram.calls("sendMessage")] == [429, 200]
    fake_telegram.rate_limit(retry_after=30, chat_id=CHAT)
    later = await channel.send(str(CHAT), question())
    assert not later.ok and later.retry_after == 30 and not later.blocked
    assert len(fake_telegram.chat(CHAT)) == 1


async def test_audio_mode_sends_a_decodable_ogg_voice_note_before_the_text(
    channel: TelegramChannel, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    message = question(audio=True, spoken="Qui fait les courses chez vous ?")
    assert (await channel.send(str(CHAT), message)).ok
    voice, text = fake_telegram.chat(CHAT)
    assert "voice" in voice and voice["uploaded"] and "reply_markup" in text
    upload = fake_telegram.calls("sendVoice")[0].files["voice"]
    received = tmp_path / "received.ogg"
    received.write_bytes(upload.data)
    assert upload.data.startswith(b"OggS") and b"OpusHead" in upload.data
    assert probe_duration(received) > 1.0
    assert voice["voice"]["duration"] >= 1
    assert (await channel.send(str(CHAT), message)).ok  # the same clip again: no new upload
    again = fake_telegram.calls("sendVoice")[1]
    assert again.files == {} and again.params["voice"] == voice["voice"]["file_id"]
    assert fake_telegram.chat(CHAT)[2]["uploaded"] is False


async def test_audio_trouble_never_blocks_the_text(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    assert isinstance(channel.audio, SpeakingAudio)
    channel.audio.fail = True
    assert (await channel.send(str(CHAT), question(audio=True))).ok
    [shown] = fake_telegram.chat(CHAT)
    assert "voice" not in shown and shown["text"].startswith("Qui fait les courses")


async def test_multiple_choice_toggle_edits_the_keyboard_in_place(
    channel: TelegramChannel, fake_telegram: FakeTelegram
) -> None:
    first = await channel.send(str(CHAT), question(expects="multi"))
    assert first.external_id is not None
    channel.edit_next_in_place(CHAT, 3, "courses", int(first.external_id))
    toggled = await channel.send(str(CHAT), question(expects="multi", selected=("moi",)))
    assert toggled.ok and toggled.external_id == first.external_id
    [shown] = fake_telegram.chat(CHAT)
    assert shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ 🙋 Moi"


async def test_the_bot_token_never_reaches_the_logs(
    channel: TelegramChannel, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await channel.send(str(CHAT), question())).ok
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "sendMessage" in logged  # httpx did log the request...
    assert fake_telegram.token not in logged  # ...without the token
    assert str(CHAT) not in "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
