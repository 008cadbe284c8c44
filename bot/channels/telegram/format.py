"""Render outbound messages for Telegram: escaped HTML, sentence-sized parts, inline keyboards."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.base import Capabilities, OutboundMessage
from bot.channels.telegram.callback import ButtonData, CallbackCodec, CallbackTooLong
from flows.events import DONE_KEY
from flows.ways import SOS_LABEL

log = logging.getLogger(__name__)
CHANNEL = "telegram"
# What a Telegram chat can do; the rendering below follows it (HTML, 4096 UTF-16 units).
CAPABILITIES = Capabilities(answers_by="buttons", max_length=4096, markup="html", audio="ogg",
                            audio_choice=True, stop_is_final=False, identity=CHANNEL,
                            sends_later=True)  # fmt: skip
MAX_TEXT = CAPABILITIES.max_length
NAV_ICONS = {
    "cmd:aide": "❓",
    "cmd:repeter": "🔁",
    "cmd:retour": "⬅️",
    "cmd:pause": "⏸️",
    "cmd:passer": "⏭️",
}
# Help in danger on every question: the helplines at once, and the run stays where it is.
SOS_BUTTON = ("cmd:sos", f"🆘 {SOS_LABEL}")  # the label the flows' texts name
SELECTED_MARK = "✅"
UNSELECTED_MARK = "⬜"
ANSWER_PREFIX = {"fr": "Votre réponse :"}
_SENTENCE = re.compile(r"[^.!?…\n]*(?:[.!?…]+[»\")]*|\n|$)[^\S\n]*\n*")


def escape(text: str) -> str:
    """Mark a text up as the channel reads it: HTML parse mode reserves <, > and &."""
    return html.escape(text, quote=False) if CAPABILITIES.markup == "html" else text


def utf16_length(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(piece: str, limit: int) -> list[str]:
    """Cut one over-long sentence at spaces, or hard when a single word is too long."""
    parts: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*", piece):
        while utf16_length(word) > limit:
            room = limit - utf16_length(current)
            if room <= 0:
                parts.append(current)
                current, room = "", limit
            head = word[:room]
            while utf16_length(head) > room:
                head = head[:-1]
            parts.append(current + head)
            current, word = "", word[len(head) :]
        if utf16_length(current + word) > limit:
            parts.append(current)
            current = ""
        current += word
    if current:
        parts.append(current)
    return parts


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a text into parts of at most `limit`, at sentence ends when possible."""
    if utf16_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE.findall(text) if s):
        pieces = [sentence] if utf16_length(sentence) <= limit else _cut(sentence, limit)
        for piece in pieces:
            if current and utf16_length(current + piece) > limit:
                chunks.append(current)
                current = ""
            current += piece
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def button_text(icon: str, label: str, selected: bool | None = None) -> str:
    """Return a button's text: pictogram and short label, with a box when it can be ticked."""
    text = f"{icon} {label}".strip()
    if selected is None:
        return text
    return f"{SELECTED_MARK if selected else UNSELECTED_MARK} {text}"


def keyboard(message: OutboundMessage, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard of a message: one choice per row, then navigation by two.

    Raise CallbackTooLong when a button's data cannot fit in 64 bytes.
    """
    rows: list[list[InlineKeyboardButton]] = []

    def data(value: str) -> str:
        return codec.encode(ButtonData(value, message.step, message.run_id))

    multi = message.expects == "multi"
    for button in message.buttons:
        ticked = button.key in message.selected if multi and button.key != DONE_KEY else None
        text = button_text(button.icon, button.label, ticked)
        rows.append([InlineKeyboardButton(text, callback_data=data(button.key))])
    nav = [
        InlineKeyboardButton(
            button_text(NAV_ICONS.get(str(key), ""), str(label)), callback_data=data(str(key))
        )
        for key, label in message.extra.get("nav") or []
    ]
    rows.extend(nav[i : i + 2] for i in range(0, len(nav), 2))
    if nav:
        rows.append([InlineKeyboardButton(SOS_BUTTON[1], callback_data=data(SOS_BUTTON[0]))])
    return InlineKeyboardMarkup(rows) if rows else None


def numbered(message: OutboundMessage) -> str:
    """Return the choices as a numbered list, for when buttons cannot be used."""
    return "\n".join(
        f"{number}. {button_text(b.icon, b.label)}" for number, b in enumerate(message.buttons, 1)
    )


@dataclass(frozen=True)
class Rendered:
    """A message ready for the Bot API: HTML parts and the keyboard of the last part."""

    parts: list[str]
    markup: InlineKeyboardMarkup | None


def render(message: OutboundMessage, codec: CallbackCodec, limit: int = MAX_TEXT) -> Rendered:
    """Render a message; buttons that cannot be encoded degrade to numbered choices."""
    text = message.text
    try:
        markup = keyboard(message, codec)
    except CallbackTooLong as exc:
        log.warning("buttons of step %s degrade to numbers: %s", message.step, exc)
        markup = None
        if message.buttons:
            text = f"{text}\n\n{numbered(message)}"
    return Rendered([escape(part) for part in split_text(text, limit)], markup)


def answered(question: str, button: str, lang: str = "fr", limit: int = MAX_TEXT) -> str | None:
    """Return the HTML of a question that shows the chosen answer, or None if it cannot fit."""
    prefix = ANSWER_PREFIX.get(lang, ANSWER_PREFIX["fr"])
    text = f"{question}\n\n{prefix} {button}"
    return escape(text) if utf16_length(text) <= limit else None
