"""Phone keypad menus: choices on 1..n, 0 help, * repeat, # validate or skip, 8 erase, 9 SOS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.channels.base import OutboundMessage
from flows.events import DONE_KEY

HELP_DIGIT, REPEAT_DIGIT, DONE_DIGIT, ERASE_DIGIT, SOS_DIGIT = "0", "*", "#", "8", "9"
MAX_CHOICES = 7  # 8 erases the answers, 9 says the helplines

SAY_CHOICE = "Pour {label}, tapez {digit}."
SAY_DONE = "Quand vous avez fini, tapez dièse."
SAY_SKIP = "Pour passer la question, tapez dièse."
SAY_SELECTED = "Vous avez choisi : {labels}."
SAY_NAV = "Pour l'aide, tapez 0. Pour réécouter, tapez étoile. En danger, tapez 9."
SAY_RECORD = "Parlez après le bip. Quand vous avez fini, tapez dièse."
SAY_HELP = (
    "Pour répondre, tapez le chiffre de votre réponse. "
    "Pour une question ouverte, parlez après le bip. "
    "Pour réécouter la question, tapez étoile. Pour passer une question, tapez dièse. "
    "Pour effacer vos réponses, tapez 8. Pour les numéros d'urgence, tapez 9. "
    "Vos réponses sont gardées."
)


@dataclass(frozen=True)
class KeyPress:
    """What a key means at a step: a choice key, a command, "record", or nothing known."""

    kind: Literal["choice", "command", "record", "unknown"]
    value: str = ""


def menu_keys(message: OutboundMessage) -> tuple[str, ...]:
    """Return the choice keys put on digits 1..n (validation of a multiple choice is on #)."""
    keys = tuple(b.key for b in message.buttons if b.key != DONE_KEY)
    return keys[:MAX_CHOICES]


def spoken_body(message: OutboundMessage) -> str:
    """Return the spoken script without the list of labels the engine appends."""
    spoken = (message.spoken or message.text).strip()
    if message.buttons:
        suffix = " " + " ".join(f"{b.label}." for b in message.buttons)
        if spoken.endswith(suffix):
            spoken = spoken[: -len(suffix)]
    return spoken.strip()


def spoken_menu(message: OutboundMessage) -> list[str]:
    """Say which digit picks which choice, what is selected already, and how to validate."""
    labels = {b.key: b.label for b in message.buttons}
    lines = [
        SAY_CHOICE.format(label=labels[key], digit=digit) for digit, key in enumerate(menu_keys(message), 1)
    ]
    if message.expects == "multi":
        chosen = [labels[key] for key in message.selected if key in labels]
        if chosen:
            lines.insert(0, SAY_SELECTED.format(labels=", ".join(chosen)))
        lines.append(SAY_DONE)
    elif message.optional and message.expects == "choice":
        lines.append(SAY_SKIP)
    return lines


def read_key(digits: str, kind: str, keys: tuple[str, ...], optional: bool = False) -> KeyPress:
    """Map the digits pressed at a step onto a choice, a command or a recording.

    At an optional open question, # before the beep skips it (as at a choice); any other key
    starts the recording.
    """
    digit = digits.strip()[:1]
    if digit == HELP_DIGIT:
        return KeyPress("command", "aide")
    if digit == REPEAT_DIGIT:
        return KeyPress("command", "repeter")
    if digit == SOS_DIGIT:
        return KeyPress("command", "sos")
    if digit == ERASE_DIGIT and kind != "confirm":
        return KeyPress("command", "effacer")
    if kind == "text" and digit == DONE_DIGIT and optional:
        return KeyPress("command", "passer")
    if kind == "text":
        return KeyPress("record") if digit else KeyPress("unknown")
    if digit == DONE_DIGIT and kind == "multi":
        return KeyPress("choice", DONE_KEY)
    if digit == DONE_DIGIT and kind == "choice":
        return KeyPress("command", "passer")
    if digit.isdigit() and 1 <= int(digit) <= len(keys):
        return KeyPress("choice", keys[int(digit) - 1])
    return KeyPress("unknown", digit)
