"""Rendering for Telegram: escaped HTML, sentence-sized parts, pictured keyboards."""

from __future__ import annotations

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.telegram.callback import CallbackCodec
from bot.channels.telegram.format import (
    answered,
    escape,
    keyboard,
    render,
    split_text,
    utf16_length,
)
from tests.fakes.telegram_html import parse_html

codec = CallbackCodec("secret-" + "x" * 40)
NAV = [["cmd:aide", "Aide"], ["cmd:repeter", "Répéter"], ["cmd:retour", "Retour"],
       ["cmd:pause", "Pause"]]  # fmt: skip


def question(**values: object) -> OutboundMessage:
    """Return a question with three pictured choices."""
    fields: dict[str, object] = {
        "text": "Comment allez-vous ?",
        "buttons": (ButtonView("bien", "Bien", "😀"), ButtonView("moyen", "Moyen", "😐"),
                    ButtonView("mal", "Mal", "🙁")),
        "expects": "choice", "step": "humeur", "run_id": 4, "extra": {"nav": NAV},
    }  # fmt: skip
    fields.update(values)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def test_html_specials_are_escaped_and_read_back_unchanged() -> None:
    text = "Femmes & hommes : <égalité> ? 3 > 2 & « oui »"
    assert parse_html(escape(text)) == text


def test_long_text_is_split_at_sentence_ends_within_the_limit() -> None:
    sentence = "Les femmes gagnent moins que les hommes pour le même travail. "
    text = sentence * 120  # about 7 400 characters
    parts = split_text(text, 4096)
    assert len(parts) == 2
    assert all(utf16_length(p) <= 4096 for p in parts)
    assert all(p.endswith("travail.") for p in parts)
    assert " ".join(parts) == text.strip()


def test_split_counts_emoji_as_telegram_does_and_cuts_endless_words() -> None:
    parts = split_text("😀" * 3000, 4096)  # 6000 UTF-16 units, no space anywhere
    assert [utf16_length(p) for p in parts] == [4096, 1904]
    parts = split_text("Bonjour ! " + "a" * 50 + " fin.", 20)
    assert all(utf16_length(p) <= 20 for p in parts)
    assert "".join(parts).replace(" ", "") == ("Bonjour!" + "a" * 50 + "fin.")


def test_keyboard_has_one_choice_per_row_then_navigation_by_two_then_help_in_danger() -> None:
    markup = keyboard(question(), codec)
    assert markup is not None
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [["😀 Bien"], ["😐 Moyen"], ["🙁 Mal"], ["❓ Aide", "🔁 Répéter"],
                    ["⬅️ Retour", "⏸️ Pause"], ["🆘 Aide urgente"]]  # fmt: skip
    sos = codec.decode(markup.inline_keyboard[-1][0].callback_data)  # type: ignore[arg-type]
    assert sos is not None and sos.value == "cmd:sos"
    first = codec.decode(markup.inline_keyboard[0][0].callback_data)  # type: ignore[arg-type]
    assert first is not None and (first.value, first.step, first.run_id) == ("bien", "humeur", 4)


def test_multi_choice_shows_boxes_ticked_when_selected() -> None:
    done = ButtonView("_valider", "J'ai fini", "✔️")
    message = question(expects="multi", selected=("moyen",),
                       buttons=(*question().buttons, done))  # fmt: skip
    markup = keyboard(message, codec)
    assert markup is not None
    texts = [row[0].text for row in markup.inline_keyboard[:4]]
    assert texts == ["⬜ 😀 Bien", "✅ 😐 Moyen", "⬜ 🙁 Mal", "✔️ J'ai fini"]


def test_buttons_that_cannot_fit_degrade_to_numbered_choices() -> None:
    rendered = render(question(step="s" * 60), codec)
    assert rendered.markup is None
    assert parse_html(rendered.parts[0]).endswith("1. 😀 Bien\n2. 😐 Moyen\n3. 🙁 Mal")


def test_a_message_without_buttons_has_no_keyboard() -> None:
    rendered = render(OutboundMessage(text="Merci <3", role="system"), codec)
    assert rendered.markup is None and rendered.parts == ["Merci &lt;3"]


def test_answered_question_shows_the_chosen_button() -> None:
    html = answered("Comment allez-vous ?", "😐 Moyen")
    assert html is not None
    assert parse_html(html) == "Comment allez-vous ?\n\nVotre réponse : 😐 Moyen"
    assert answered("a" * 4090, "😐 Moyen") is None
