"""Reading SMS replies against the last question."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.numbers import Reply, needs_prompt, parse_reply

CHOICE = OutboundMessage(
    text="Êtes-vous ?",
    step="genre",
    expects="choice",
    buttons=(
        ButtonView("femme", "Une femme", "👩"),
        ButtonView("homme", "Un homme", "👨"),
        ButtonView("autre", "Autre", "🙂"),
    ),
)
MULTI = OutboundMessage(
    text="Quels sujets ?",
    step="sujets",
    expects="multi",
    buttons=(*CHOICE.buttons, ButtonView("_valider", "Valider", "✔️")),
)


def test_a_number_picks_that_choice_of_the_last_question() -> None:
    assert parse_reply("2", CHOICE) == Reply(choice="homme", step="genre")
    assert parse_reply(" 3. ", CHOICE) == Reply(choice="autre", step="genre")


def test_out_of_range_numbers_and_words_go_on_as_text() -> None:
    assert parse_reply("7", CHOICE) == Reply(text="7")
    assert parse_reply("Une femme", CHOICE) == Reply(text="Une femme")
    assert parse_reply("AIDE", CHOICE) == Reply(text="AIDE")


def test_without_a_question_everything_is_text() -> None:
    assert parse_reply("1", None) == Reply(text="1")
    text_step = OutboundMessage(text="Votre âge ?", step="age", expects="text")
    assert parse_reply("45", text_step) == Reply(text="45")


def test_several_numbers_answer_a_multiple_choice() -> None:
    expected = Reply(keys=("femme", "autre"), step="sujets")
    for body in ("1 3", "1,3", "1 et 3", "13", "1 3 1"):
        assert parse_reply(body, MULTI) == expected, body
    assert parse_reply("1 4", MULTI) == Reply(text="1 4")
    assert parse_reply("le 1", MULTI) == Reply(text="le 1")


def test_a_campaign_keyword_starts_its_flow_in_any_case_and_accents() -> None:
    assert parse_reply("Égalité !", None, {"egalite"}) == Reply(text="Égalité !", start_flow="egalite")
    assert parse_reply("EGALITE", CHOICE, {"egalite"}).start_flow == "egalite"


def test_a_keyword_answering_an_open_question_is_the_participants_words() -> None:
    open_question = OutboundMessage(text="Qu'est-ce qui compte ?", step="idee", expects="text")
    assert parse_reply("Égalité", open_question, {"egalite"}) == Reply(text="Égalité")


def test_only_numbers_and_keywords_need_the_last_question() -> None:
    assert needs_prompt("2") and needs_prompt("1 et 3") and needs_prompt("Égalité", {"egalite"})
    assert not needs_prompt("Des crèches le soir") and not needs_prompt("aide")
    assert not needs_prompt("J'ai 3 enfants")
