"""Telegram end to end: the real PTB client, the real app, a fake Bot API server, over HTTP.

The flow is `tests/channels/flows/parcours.yml`, shaped like the `egalite` campaign flow
(reading and audio modes, consent, a multiple choice, a rating, an optional question, free text).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.channels.telegram.updates import BROKEN_BUTTON, STALE_NOTICE
from storage.models import Answer, InboundEvent, OutboxMessage, Participant
from storage.retention import erase
from tests.channels.telegram_world import World
from tests.fakes.audio import SpeakingAudio, probe_duration

CHAT = 7001


async def start(world: World, chat: int = CHAT) -> dict[str, Any]:
    """Open the bot by its deep link; return the reading-mode question."""
    response = await world.deliver(world.users.text(chat, "/start parcours"))
    assert response.status_code == 200
    return await world.until_text(chat, "Comment préférez-vous lire")


async def test_the_sos_button_shows_the_helplines_and_the_run_stays_where_it_was(world: World) -> None:
    await start(world)
    await world.press(CHAT, "Aide urgente", expect="3919")
    helplines = next(t for t in world.texts(CHAT) if "3919" in t)
    assert all(number in helplines for number in ("17", "119", "114"))
    await world.fake.wait_for(lambda: world.texts(CHAT)[-1].startswith("Comment préférez-vous lire"))
    await world.press(CHAT, "Facile à lire", expect="Voulez-vous aussi écouter")
    assert world.participant().easy  # the question it was on took the answer


def call_index(world: World, method: str, fragment: str) -> int:
    """Return the position of the first call of a method whose text contains a fragment."""
    for index, call in enumerate(world.fake.calls()):
        if call.method == method.lower() and fragment in str(call.params.get("text", "")):
            return index
    raise AssertionError(f"no {method} with {fragment!r}")


def keyboard_texts(world: World, chat: int, message_id: int) -> list[str]:
    """Return the texts of a message's buttons as they stand now."""
    return [b["text"] for b in world.users.buttons(chat, message_id)]


async def until_ticked(world: World, message_id: int, label: str) -> None:
    """Wait until a multiple-choice keyboard shows a choice ticked."""

    def ticked() -> bool:
        texts = keyboard_texts(world, CHAT, message_id)
        return any(t.startswith("✅") and label in t for t in texts)

    await world.fake.wait_for(ticked)


async def test_full_journey_by_buttons_in_easy_read_and_audio_mode(world: World, tmp_path: Path) -> None:
    lecture = await start(world)
    first = world.texts(CHAT)[0]
    assert first == "Bonjour ! Le département veut votre avis sur l'égalité & vous."
    buttons = keyboard_texts(world, CHAT, lecture["message_id"])
    assert buttons == ["📗 Facile à lire", "📄 Texte normal", "❓ Aide", "🔁 Répéter",
                       "⬅️ Retour", "⏸️ Pause", "🆘 Aide urgente"]  # fmt: skip

    await world.press(CHAT, "Facile à lire", expect="Voulez-vous aussi écouter")
    edited = world.fake.message(CHAT, lecture["message_id"])
    assert edited["text"].endswith("Votre réponse : 📗 Facile à lire")
    assert "reply_markup" not in edited
    assert call_index(world, "editMessageText", "Votre réponse") < call_index(
        world, "sendMessage", "Voulez-vous aussi écouter"
    )

    await world.press(CHAT, "Oui, avec le son", expect="Vous acceptez ?")
    voice, consent = world.fake.chat(CHAT)[-2:]
    assert "voice" in voice and consent["text"] == "Vos réponses sont anonymes.\nVous acceptez ?"

    await world.press(CHAT, "Oui, j'accepte", expect="Où voyez-vous des différences ?")
    multi = world.question(CHAT)
    seen = len(world.fake.chat(CHAT))
    for label in ("Au travail", "Pour le ménage"):
        await world.press(CHAT, label)
        await until_ticked(world, multi["message_id"], label)
    assert len(world.fake.chat(CHAT)) == seen  # toggles edit the keyboard, no new message
    await world.press(CHAT, "J'ai fini", expect="Comment allez-vous ?")
    answered = world.fake.message(CHAT, multi["message_id"])["text"]
    assert answered.endswith("Votre réponse : 💼 Au travail, 🏠 Pour le ménage")

    await world.press(CHAT, "Moyen", expect="Quel âge avez-vous ?")
    await world.press(CHAT, "Passer", expect="Qu'est-ce qui doit changer d'abord ?")
    recording = SpeakingAudio(tmp_path / "person").clip("Plus de places en crèche.").path
    response = await world.deliver(world.users.voice(CHAT, recording.read_bytes(), duration=2))
    assert response.status_code == 200
    await world.until_text(CHAT, "Nous avons votre message vocal.")
    await world.until_text(CHAT, "Merci !")

    answers = world.answers()
    assert {name: a.value for name, a in answers.items()} == {
        "consentement": "oui",
        "themes_quotidien": "travail,taches_domestiques",
        "humeur": "moyen",
        "priorite": "audio",
    }
    kept = world.config.recordings_dir / str(answers["priorite"].audio_ref)
    assert kept.read_bytes() == recording.read_bytes()
    participant = world.participant()
    assert participant.easy and participant.audio and participant.consent_at is not None

    chat = world.fake.chat(CHAT)
    audio_on = next(i for i, m in enumerate(chat) if "voice" in m)
    for before, message in zip(chat[audio_on:], chat[audio_on + 1 :], strict=False):
        if "text" in message and "voice" not in before and message.get("reply_markup"):
            raise AssertionError(f"question without its voice note: {message['text']!r}")
    uploads = [c.files["voice"] for c in world.fake.calls("sendVoice") if "voice" in c.files]
    assert uploads
    for number, upload in enumerate(uploads):
        path = tmp_path / f"upload{number}.ogg"
        path.write_bytes(upload.data)
        assert b"OpusHead" in upload.data and probe_duration(path) > 0.5
    await world.fake.wait_for(lambda: world_outbox_settled(world))
    with world.services.db.transaction() as session:  # an erasure request removes the recording
        erase(session, session.get_one(Participant, participant.id), world.config.recordings_dir)
    assert not kept.exists()


def world_outbox_settled(world: World) -> bool:
    """Say whether every outbox row was sent."""
    with world.services.db.sessions() as session:
        return all(s == "sent" for s in session.scalars(select(OutboxMessage.status)))


async def test_typed_answers_and_slash_commands_work_like_buttons(world: World) -> None:
    await start(world)
    await world.deliver(world.users.text(CHAT, "texte normal"))
    await world.until_text(CHAT, "Voulez-vous aussi écouter")
    await world.deliver(world.users.text(CHAT, "/aide"))
    await world.until_text(CHAT, "Choisissez une réponse avec un bouton")

    def asked_twice() -> bool:
        return len([t for t in world.texts(CHAT) if t.startswith("Voulez-vous aussi")]) == 2

    await world.fake.wait_for(asked_twice)
    await world.deliver(world.users.text(CHAT, "/pause"))
    await world.until_text(CHAT, "on fait une pause")


async def test_a_duplicate_update_saves_and_sends_nothing_twice(world: World) -> None:
    await start(world)
    await world.press(CHAT, "Texte normal", expect="Voulez-vous aussi écouter")
    await world.press(CHAT, "Non, sans le son", expect="Acceptez-vous de participer ?")
    press = world.users.press(CHAT, "Oui, j'accepte")
    first, again = await world.deliver(press), await world.deliver(press)
    assert first.status_code == again.status_code == 200
    await world.until_text(CHAT, "Où voyez-vous des différences")
    await world.press(CHAT, "Valider", expect="Comment allez-vous aujourd'hui ?")  # a barrier
    assert len([t for t in world.texts(CHAT) if t.startswith("Où voyez-vous")]) == 1
    assert world.count(InboundEvent) == 5
    assert world.count(Answer) == 1


async def test_wrong_missing_secret_oversized_and_malformed_bodies_are_refused(
    world: World,
) -> None:
    update = json.dumps(world.users.text(CHAT, "/start parcours")).encode()
    good = {"Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": world.config.webhook_secret}  # fmt: skip
    wrong = {**good, "X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
    missing = {"Content-Type": "application/json"}
    assert (await world.post(update, wrong)).status_code == 403
    assert (await world.post(update, missing)).status_code == 403
    big = b'{"update_id": 1, "message": {"text": "' + b"a" * (1024 * 1024) + b'"}}'
    assert (await world.post(big, good)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 65536  # no Content-Length: the streamed size is what counts

    async with httpx.AsyncClient(timeout=30) as client:
        streamed = await client.post(f"{world.url}/webhooks/telegram", content=chunks(),
                                     headers=good)  # fmt: skip
    assert streamed.status_code == 413
    for body in (b"{not json", b"[]", b'{"update_id": "x"}', b'{"update_id": 5, "message": "x"}',
                 b'{"update_id": 6, "callback_query": {"id": "1"}}', b"\xff\xfe"):  # fmt: skip
        assert (await world.post(body, good)).status_code == 400, body
    assert world.count(InboundEvent) == 0
    assert world.fake.chat(CHAT) == []
    assert (await world.post(update, good)).status_code == 200
    assert world.count(InboundEvent) == 1


async def test_a_user_who_blocked_the_bot_is_opted_out_and_sent_nothing_more(
    world: World,
) -> None:
    await start(world)
    shown = len(world.fake.chat(CHAT))
    world.fake.block(CHAT)
    await world.press(CHAT, "Texte normal")
    await world.fake.wait_for(lambda: world.participant().opted_out_at is not None)
    await world.fake.wait_for(lambda: world_outbox_done(world))
    assert len(world.fake.chat(CHAT)) == shown
    late = world.users.text(CHAT, "non")  # sent just before blocking, delivered after
    assert (await world.deliver(late)).status_code == 200
    await world.fake.wait_for(lambda: world_outbox_done(world))
    assert len(world.fake.chat(CHAT)) == shown
    assert world.participant().opted_out_at is not None
    assert world.count(Answer) == 0


def world_outbox_done(world: World) -> bool:
    """Say whether no outbox row is still waiting or being sent."""
    with world.services.db.sessions() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    return not statuses & {"pending", "sending"}


async def test_a_stale_button_gets_a_kind_answer_and_changes_nothing(world: World) -> None:
    await start(world)
    await world.press(CHAT, "Texte normal", expect="Voulez-vous aussi écouter")
    await world.press(CHAT, "Non, sans le son", expect="Acceptez-vous de participer ?")
    await world.press(CHAT, "Oui, j'accepte", expect="Où voyez-vous des différences")
    await world.press(CHAT, "Valider", expect="Comment allez-vous aujourd'hui ?")
    rating = world.question(CHAT)
    before = world.fake.message(CHAT, rating["message_id"])
    await world.press(CHAT, "Retour")
    await world.fake.wait_for(lambda: len([t for t in world.texts(CHAT)
                                           if t.startswith("Où voyez-vous")]) == 2)  # fmt: skip
    stale = world.users.press(CHAT, "Moyen", rating["message_id"])
    assert (await world.deliver(stale)).status_code == 200
    await world.until_text(CHAT, "Ce bouton correspond à une ancienne question")
    answer = [c for c in world.fake.calls("answerCallbackQuery")
              if c.params["callback_query_id"] == stale["callback_query"]["id"]]  # fmt: skip
    assert answer[0].params.get("text") == STALE_NOTICE
    assert world.fake.message(CHAT, rating["message_id"]) == before
    assert "humeur" not in world.answers()
    await world.fake.wait_for(lambda: world.texts(CHAT)[-1].startswith("Où voyez-vous"))


async def test_a_forged_button_is_refused_before_the_service(world: World) -> None:
    lecture = await start(world)
    events = world.count(InboundEvent)
    forged = world.users.press_data(CHAT, lecture["message_id"],
                                    "c1|lecture|facile|AAAAAAAA")  # fmt: skip
    assert (await world.deliver(forged)).status_code == 200
    query_id = forged["callback_query"]["id"]

    def answered() -> bool:
        calls = world.fake.calls("answerCallbackQuery")
        return any(c.params["callback_query_id"] == query_id for c in calls)

    await world.fake.wait_for(answered)
    answer = world.fake.calls("answerCallbackQuery")[-1]
    assert answer.params.get("text") == BROKEN_BUTTON
    assert world.count(InboundEvent) == events
    assert world.participant().easy is False
