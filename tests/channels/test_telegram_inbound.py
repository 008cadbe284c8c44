"""Updates become the inbound messages the conversation service understands."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.channels.telegram.callback import ButtonData, CallbackCodec
from bot.channels.telegram.inbound import translate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_users import Users

codec = CallbackCodec("secret-" + "x" * 40)
users = Users(FakeTelegram())


def understood(data: dict[str, Any]) -> Any:
    """Translate an update dict as the webhook would."""
    return translate(Update.de_json(data, None), codec, "egalite", "porte_voix_test_bot")


def test_text_becomes_free_text_with_the_update_id_as_external_id() -> None:
    update = users.text(42, "Plus de crèches")
    result = understood(update)
    assert result.chat_id == 42
    assert result.inbound.channel == "telegram" and result.inbound.address == "42"
    assert result.inbound.text == "Plus de crèches"
    assert result.inbound.external_id == str(update["update_id"])


def test_start_deep_link_chooses_the_flow_and_defaults_to_egalite() -> None:
    assert understood(users.text(42, "/start sante")).inbound.start_flow == "sante"
    assert understood(users.text(42, "/start")).inbound.start_flow == "egalite"
    assert understood(users.text(42, "/start ../../etc")).inbound.start_flow == "egalite"


def test_slash_commands_become_service_commands() -> None:
    expected = {"/aide": "cmd:aide", "/repeter": "cmd:repeter", "/retour": "cmd:retour",
                "/pause": "cmd:pause", "/stop": "cmd:stop", "/supprimer": "cmd:effacer",
                "/aide@porte_voix_test_bot": "cmd:aide"}  # fmt: skip
    for text, choice in expected.items():
        inbound = understood(users.text(42, text)).inbound
        assert (inbound.choice, inbound.text) == (choice, None), text
    assert understood(users.text(42, "/aide@another_bot")) is None
    assert understood(users.text(42, "/bonjour")).inbound.text == "bonjour"


def test_button_press_becomes_a_choice_on_its_step() -> None:
    fake = users.fake
    users.text(42, "x")
    data = codec.encode(ButtonData("moyen", "humeur", 9))
    markup = {"inline_keyboard": [[{"text": "😐 Moyen", "callback_data": data}]]}
    message = fake._store(42, {"text": "Comment allez-vous ?", "reply_markup": markup})
    result = understood(users.press(42, "Moyen", message["message_id"]))
    assert (result.inbound.choice, result.inbound.step) == ("moyen", "humeur")
    assert result.press.button == "😐 Moyen"
    assert result.press.question == "Comment allez-vous ?"
    forged = understood(users.press_data(42, message["message_id"], "cmoyen|humeur|x|AAAAAAAA"))
    assert forged.press.data is None and forged.inbound.choice is None


def test_ticked_boxes_are_read_from_a_multiple_choice_keyboard() -> None:
    fake = users.fake
    users.text(42, "x")
    buttons = [("✅ 💼 Au travail", "travail"), ("⬜ ✅ Oui", "oui"), ("✅ ✅ Partout", "partout"),
               ("✔️ J'ai fini", "_valider")]  # fmt: skip
    rows = [[{"text": text, "callback_data": codec.encode(ButtonData(key, "themes", 1))}]
            for text, key in buttons]  # fmt: skip
    message = fake._store(42, {"text": "Où ?", "reply_markup": {"inline_keyboard": rows}})
    result = understood(users.press(42, "J'ai fini", message["message_id"]))
    assert result.press.selected == ("💼 Au travail", "✅ Partout")


def test_voice_note_is_flagged_for_download() -> None:
    result = understood(users.voice(42, b"OggS...", duration=4))
    assert result.voice_file_id and result.inbound.text is None


def test_group_chats_and_other_updates_are_ignored() -> None:
    update = users.text(42, "bonjour")
    update["message"]["chat"] = {"id": -100, "type": "group", "title": "Groupe"}
    assert understood(update) is None
    assert understood({"update_id": 5, "edited_message": users.text(42, "x")["message"]}) is None
