"""Translate Telegram updates into InboundMessage: texts, commands, deep links, buttons, voice."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from telegram import Message, Update

from bot.channels.base import InboundMessage
from bot.channels.telegram.callback import COMMAND_PREFIX, ButtonData, CallbackCodec
from bot.channels.telegram.format import SELECTED_MARK

CHANNEL = "telegram"
FLOW_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Slash commands and the service command each one means.
COMMANDS = {
    "aide": "aide",
    "help": "aide",
    "repeter": "repeter",
    "répéter": "repeter",
    "retour": "retour",
    "pause": "pause",
    "passer": "passer",
    "stop": "stop",
    "supprimer": "effacer",
    "effacer": "effacer",
    "facile": "facile",
    "standard": "standard",
    "audio": "audio",
}


@dataclass(frozen=True)
class Press:
    """A button press: what is needed to answer it and to edit the question it came from."""

    query_id: str
    data: ButtonData | None
    message_id: int | None
    question: str | None
    button: str | None
    selected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Translated:
    """An update understood: the inbound message, plus the press or voice note it came from."""

    inbound: InboundMessage
    chat_id: int
    press: Press | None = None
    voice_file_id: str | None = None
    voice_size: int | None = None


def _command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """Split '/name@bot args' into (name, args); None when it is not for this bot."""
    head, _, args = text.strip().partition(" ")
    name, _, target = head[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower(), args.strip()


def _from_message(
    update: Update, message: Message, default_flow: str, bot_username: str | None
) -> Translated | None:
    """Translate a message: a voice note, a /command, a deep link or plain text."""
    base = InboundMessage(
        channel=CHANNEL,
        address=str(message.chat.id),
        external_id=str(update.update_id),
        received_at=message.date,
    )
    if message.voice is not None:
        return Translated(
            base,
            message.chat.id,
            voice_file_id=message.voice.file_id,
            voice_size=message.voice.file_size,
        )
    text = message.text
    if not text:
        return None
    if text.startswith("/"):
        parsed = _command(text, bot_username)
        if parsed is None:
            return None
        name, args = parsed
        if name == "start":
            flow = args if FLOW_ID.match(args) else default_flow
            return Translated(replace(base, start_flow=flow), message.chat.id)
        if name in COMMANDS:
            choice = COMMAND_PREFIX + COMMANDS[name]
            return Translated(replace(base, choice=choice), message.chat.id)
        text = text[1:]
    return Translated(replace(base, text=text), message.chat.id)


def _from_press(update: Update, codec: CallbackCodec) -> Translated | None:
    """Translate a button press into a choice (or a command) on a step."""
    query = update.callback_query
    if query is None:
        return None
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else query.from_user.id
    data = codec.decode(query.data)
    question = button = None
    selected: tuple[str, ...] = ()
    if message is not None:
        question = message.text
        markup = message.reply_markup
        rows = markup.inline_keyboard if markup else ()
        for row in rows:
            for item in row:
                if item.callback_data == query.data:
                    button = item.text
                if item.text.startswith(SELECTED_MARK + " "):
                    selected += (item.text.removeprefix(SELECTED_MARK).strip(),)
    press = Press(query.id, data, message.message_id if message else None, question, button, selected)
    inbound = InboundMessage(
        channel=CHANNEL,
        address=str(chat_id),
        external_id=str(update.update_id),
        choice=data.value if data else None,
        step=data.step if data else None,
        run_id=data.run_id if data else None,
    )
    return Translated(inbound, chat_id, press=press)


def translate(
    update: Update, codec: CallbackCodec, default_flow: str, bot_username: str | None = None
) -> Translated | None:
    """Return what an update means for the service, or None for updates we do not handle.

    Only private chats are handled: Porte-voix talks to one person at a time.
    """
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message if isinstance(query.message, Message) else None
        if message is not None and message.chat.type != "private":
            return None
        return _from_press(update, codec)
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    return _from_message(update, message, default_flow, bot_username)
