"""SMS rendering of outbound messages: numbered choices, help hint, GSM-7, segments."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.sms_text import compose, fit, pack, render, segments_by_reply, split_long
from flows.gsm7 import budget

YES_NO = (ButtonView("oui", "Oui", "✅"), ButtonView("non", "Non", "❌"))


def prompt(text: str, **values: object) -> OutboundMessage:
    values.setdefault("buttons", YES_NO)
    values.setdefault("expects", "choice")
    return OutboundMessage(text=text, step="q1", **values)  # type: ignore[arg-type]


def test_choices_become_numbered_lines_without_pictograms() -> None:
    body = render(prompt("Êtes-vous d’accord ?"))
    assert "1 - Oui\n2 - Non" in body
    assert "✅" not in body and "❌" not in body


def test_a_question_says_how_to_get_help() -> None:
    assert render(prompt("On commence ?")).endswith("Besoin d'aide ? Envoyez AIDE")
    easy = render(prompt("On commence ?", easy=True))
    assert easy.endswith("Besoin d'aide ?\nEnvoyez AIDE")


def test_information_and_help_messages_carry_no_hint() -> None:
    info = OutboundMessage(text="Merci pour vos réponses.")
    assert render(info) == "Merci pour vos réponses."
    helpful = prompt("Je n'ai pas compris. Écrivez « aide ».")
    assert "Envoyez AIDE" not in render(helpful)


def test_typographic_apostrophes_and_spaces_are_normalised() -> None:
    body = render(OutboundMessage(text="C’est\u00a0noté\u202f!"))
    assert body == "C'est noté !"
    assert budget(body).encoding == "GSM-7"


def test_guillemets_become_straight_quotes_without_inner_spaces() -> None:
    assert render(OutboundMessage(text="Vous avez dit : « oui\u00a0». C’est juste ?")) == (
        'Vous avez dit : "oui". C\'est juste ?'
    )


def test_accents_fold_only_when_that_saves_a_segment() -> None:
    short = "On y va ? Ça va ? Très bien, ça roule."
    assert fit(short) == short  # one UCS-2 segment either way: keep the spelling
    long = "ça " + "a" * 100
    assert fit(long) == "ca " + "a" * 100
    assert budget(fit(long)).segments == 1
    assert fit(long, accents="keep") == long
    assert fit(short, accents="fold") == "On y va ? Ça va ? Très bien, ca roule."


def test_multiple_choice_explains_sending_several_numbers() -> None:
    buttons = (ButtonView("a", "Travail", "💼"), ButtonView("b", "Maison", "🏠"),
               ButtonView("_valider", "Valider", "✔️"))  # fmt: skip
    body = compose(prompt("Quels sujets ?", buttons=buttons, expects="multi"))
    assert "1 - Travail\n2 - Maison" in body
    assert "Valider" not in body
    assert "plusieurs numéros, par exemple : 1 3" in body


def test_replies_are_packed_into_one_sms_in_order() -> None:
    help_text = OutboundMessage(text="Répondez avec un numéro.", role="system")
    parts = pack([help_text, prompt("On commence ?")])
    assert len(parts) == 1
    assert parts[0].body.index("Répondez") < parts[0].body.index("On commence")
    assert parts[0].replies == (0, 1)
    assert segments_by_reply(parts, 2) == [0, parts[0].segments]


def test_replies_too_long_for_one_body_are_split() -> None:
    first = OutboundMessage(text="a " * 500)
    second = OutboundMessage(text="b " * 500)
    parts = pack([first, second])
    assert len(parts) == 2
    assert all(len(p.body) <= 1600 for p in parts)
    assert segments_by_reply(parts, 2) == [parts[0].segments, parts[1].segments]


def test_split_long_cuts_at_word_boundaries() -> None:
    chunks = split_long("mot " * 1000, limit=1600)
    assert all(len(c) <= 1600 for c in chunks)
    assert " ".join(chunks).split() == ["mot"] * 1000
