"""The campaign flow `egalite`, answered on Telegram by buttons in easy-read and audio mode.

Flow-agnostic driving: at each question press the first pictured choice (tick the first box
of a multiple choice, then "J'ai fini"), answer the first free-text question by voice and the
others by typing, until the run completes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.models import OutboxMessage, Run
from tests.channels.telegram_world import World
from tests.fakes.audio import SpeakingAudio, probe_duration

CHAT = 9003
NAV_ICONS = ("❓", "🔁", "⬅️", "⏸️", "⏭️", "🆘")  # navigation and help in danger, not answers


def run_status(world: World) -> str | None:
    """Return the status of the participant's latest run."""
    with world.services.db.sessions() as session:
        return session.scalars(select(Run.status).order_by(Run.id.desc())).first()


def latest_keyboard(world: World) -> dict[str, Any] | None:
    """Return the latest message showing buttons, if any."""
    messages = [m for m in world.fake.chat(CHAT) if m.get("reply_markup")]
    return messages[-1] if messages else None


async def next_question(world: World, after: int) -> None:
    """Wait until a newer keyboard shows, or the run is over."""

    def moved() -> bool:
        latest = latest_keyboard(world)
        return run_status(world) == "completed" or (latest is not None and latest["message_id"] > after)

    await world.fake.wait_for(moved, timeout=30)


async def answer(world: World, question: dict[str, Any], voice: Path, spoke: bool) -> bool:
    """Answer one question; return whether the voice note was used."""
    buttons = world.users.buttons(CHAT, question["message_id"])
    choices = [b["text"] for b in buttons if not b["text"].startswith(NAV_ICONS)]
    if not choices:  # free text: a voice note first, typed text afterwards
        update = (world.users.text(CHAT, "creteil") if spoke
                  else world.users.voice(CHAT, voice.read_bytes(), duration=2))  # fmt: skip
        assert (await world.deliver(update)).status_code == 200
        return True
    if any("J'ai fini" in c for c in choices):
        await world.press(CHAT, choices[0])

        def ticked() -> bool:
            texts = [b["text"] for b in world.users.buttons(CHAT, question["message_id"])]
            return any(t.startswith("✅") for t in texts)

        await world.fake.wait_for(ticked)
        await world.press(CHAT, "J'ai fini")
        return spoke
    preferred = {"Facile à lire", "Oui, avec le son"}
    label = next((c for c in choices if any(p in c for p in preferred)), choices[0])
    await world.press(CHAT, label)
    return spoke


async def test_egalite_by_buttons_in_easy_read_and_audio_mode(egalite_world: World, tmp_path: Path) -> None:
    world = egalite_world
    voice = SpeakingAudio(tmp_path / "person").clip("Plus de lumière dans les rues.").path
    assert (await world.deliver(world.users.text(CHAT, "/start egalite"))).status_code == 200
    await next_question(world, 0)
    spoke, asked = False, 0
    while run_status(world) != "completed":
        question = latest_keyboard(world)
        assert question is not None and asked < 40
        spoke = await answer(world, question, voice, spoke)
        asked += 1
        await next_question(world, question["message_id"])
    assert asked >= 15

    participant = world.participant()
    assert participant.easy and participant.audio and participant.consent_at is not None
    answers = world.answers()
    assert answers["priorite"].audio_ref is not None
    assert (world.config.recordings_dir / answers["priorite"].audio_ref).read_bytes() == voice.read_bytes()
    assert answers["commune"].value == "Créteil"  # typed, then confirmed with the first button

    chat = world.fake.chat(CHAT)
    audio_on = next(i for i, m in enumerate(chat) if "voice" in m)
    for before, message in zip(chat[audio_on:], chat[audio_on + 1 :], strict=False):
        if "text" in message and message.get("reply_markup"):
            assert "voice" in before, f"question without its voice note: {message['text']!r}"
    for number, call in enumerate(world.fake.calls("sendVoice")):
        if "voice" in call.files:
            path = tmp_path / f"upload{number}.ogg"
            path.write_bytes(call.files["voice"].data)
            assert probe_duration(path) > 0.5

    def settled() -> bool:
        with world.services.db.sessions() as session:
            return set(session.scalars(select(OutboxMessage.status))) == {"sent"}

    await world.fake.wait_for(settled)

    # Writing again after the end: a short answer on the chat, the finished answers stay.
    finished = {result: a.value for result, a in world.answers().items()}
    assert (await world.deliver(world.users.text(CHAT, "Merci, j'ai encore une idée"))).status_code == 200

    def answered() -> bool:
        return any("vous avez déjà répondu" in (m.get("text") or "") for m in world.fake.chat(CHAT))

    await world.fake.wait_for(answered)
    assert run_status(world) == "completed"
    assert {result: a.value for result, a in world.answers().items()} == finished
