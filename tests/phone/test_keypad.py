"""Keypad menus for phone calls."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.twilio.keypad import KeyPress, menu_keys, read_key, spoken_body, spoken_menu

BUTTONS = (ButtonView("oui", "oui", "✅"), ButtonView("non", "non", "❌"))
YES_NO = OutboundMessage(
    text="Êtes-vous d'accord ?", spoken="Êtes-vous d'accord ? oui. non.", step="q1",
    expects="choice", buttons=BUTTONS,
)  # fmt: skip
MULTI = OutboundMessage(
    text="Quels sujets ?", spoken="Quels sujets ? Travail. Maison. Valider.", step="q2",
    expects="multi", selected=("b",),
    buttons=(ButtonView("a", "Travail", "💼"), ButtonView("b", "Maison", "🏠"),
             ButtonView("_valider", "Valider", "✔️")),
)  # fmt: skip


def test_choices_are_put_on_digits_and_said_aloud() -> None:
    assert menu_keys(YES_NO) == ("oui", "non")
    assert spoken_menu(YES_NO) == ["Pour oui, tapez 1.", "Pour non, tapez 2."]


def test_the_engine_list_of_labels_is_replaced_by_the_keypad_menu() -> None:
    assert spoken_body(YES_NO) == "Êtes-vous d'accord ?"
    assert spoken_body(OutboundMessage(text="Merci.", spoken="")) == "Merci."


def test_multiple_choice_says_what_is_chosen_and_how_to_finish() -> None:
    assert menu_keys(MULTI) == ("a", "b")
    assert spoken_menu(MULTI) == [
        "Vous avez choisi : Maison.",
        "Pour Travail, tapez 1.",
        "Pour Maison, tapez 2.",
        "Quand vous avez fini, tapez dièse.",
    ]


def test_digits_map_onto_choices_help_repeat_and_validate() -> None:
    keys = ("oui", "non")
    assert read_key("1", "choice", keys) == KeyPress("choice", "oui")
    assert read_key("2", "confirm", keys) == KeyPress("choice", "non")
    assert read_key("0", "choice", keys) == KeyPress("command", "aide")
    assert read_key("*", "choice", keys) == KeyPress("command", "repeter")
    assert read_key("#", "multi", keys) == KeyPress("choice", "_valider")
    assert read_key("#", "confirm", keys) == KeyPress("unknown", "#")
    assert read_key("#", "choice", keys) == KeyPress("command", "passer")
    assert read_key("9", "choice", keys) == KeyPress("command", "sos")
    assert read_key("8", "choice", keys) == KeyPress("command", "effacer")
    assert read_key("7", "choice", keys) == KeyPress("unknown", "7")


def test_a_key_during_a_spoken_question_starts_the_recording() -> None:
    assert read_key("5", "text", ()) == KeyPress("record")
    assert read_key("0", "text", ()) == KeyPress("command", "aide")
