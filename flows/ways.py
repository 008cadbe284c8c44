"""Ways of answering and the actions a text may name: what the linter checks on each channel.

A text names an action ("appuyez sur Passer", "envoyez 1", "écrivez effacer", "dites votre
idée"); each way of answering offers only some. The channels declare their way in
`Capabilities.answers_by`; this table says what each way offers, in the flows' own terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Typing = Literal["always", "text steps", "never"]


@dataclass(frozen=True)
class Way:
    """What one way of answering offers a participant."""

    name: str
    buttons: bool  # labelled buttons to press (choices and navigation)
    typing: Typing  # somewhere to type
    typed_commands: bool  # a typed word ("effacer", "bonjour") is read as a command
    numbers: bool  # answers are numbers sent by message
    keys: bool  # answers are keys of a phone keypad
    speech: bool  # a spoken answer is recorded at an open question
    shown: bool  # the written text is shown
    spoken: bool  # the spoken script is heard
    extra_labels: tuple[str, ...] = ()  # buttons the channel adds to every question


SOS_LABEL = "Aide urgente"  # the 🆘 button on every question, on Telegram and the kiosk
WAYS: dict[str, Way] = {
    # Telegram: buttons, a text field, voice notes.
    "buttons": Way("buttons", buttons=True, typing="always", typed_commands=True, numbers=False,
                   keys=False, speech=True, shown=True, spoken=True, extra_labels=(SOS_LABEL,)),
    # The web kiosk: buttons, a text field and a recorder at open questions, its own command buttons.
    "kiosk": Way("kiosk", buttons=True, typing="text steps", typed_commands=False, numbers=False,
                 keys=False, speech=True, shown=True, spoken=True,
                 extra_labels=(SOS_LABEL, "Effacer", "Facile à lire", "Son", "Reprendre")),
    # SMS: numbers and keywords, no pictures.
    "numbers": Way("numbers", buttons=False, typing="always", typed_commands=True, numbers=True,
                   keys=False, speech=False, shown=True, spoken=False),
    # Phone calls: keys, and speech recorded at open questions; nothing is shown.
    "keypad": Way("keypad", buttons=False, typing="never", typed_commands=False, numbers=False,
                  keys=True, speech=True, shown=False, spoken=True),
}  # fmt: skip
COMMAND_WORDS = "effacer|facile|texte normal|bonjour|aide|stop|retour|pause|passer|sos|reprendre"
_KEY_TARGET = re.compile(r"^(?:la touche|le chiffre|son chiffre|\d|étoile|dièse)\b", re.I)
_GENERIC_TARGET = re.compile(r"^(?:un|le|les|ce)\s+boutons?\b|^(?:une|l')\s*image\b", re.IGNORECASE)
_NOT_A_LABEL = re.compile(r"[^\w' -]+")


@dataclass(frozen=True)
class Context:
    """Where a text is said: at an open question or not, and the button labels shown there."""

    text_step: bool
    labels: frozenset[str]


def normal_label(label: str) -> str:
    """Return a label as compared: no pictograms or punctuation, lower case, single spaces."""
    return " ".join(_NOT_A_LABEL.sub(" ", label.replace("’", "'")).split()).casefold()


def _press(way: Way, found: re.Match[str], where: Context) -> str | None:
    target = normal_label(found["target"])
    if _KEY_TARGET.match(target):
        return None if way.keys else "keys"
    if not way.buttons:
        return "buttons"
    if _GENERIC_TARGET.match(target):
        return None
    labels = where.labels | {normal_label(label) for label in way.extra_labels}
    if any(target == label or target.startswith(label + " ") for label in labels):
        return None
    return f"a button labelled '{found['target'].strip()}'"


def _validate(way: Way, found: re.Match[str], where: Context) -> str | None:
    return None if way.buttons and "valider" in where.labels else "a button labelled 'Valider'"


def _need(attribute: str, what: str) -> Callable[[Way, re.Match[str], Context], str | None]:
    def check(way: Way, found: re.Match[str], where: Context) -> str | None:
        offered = getattr(way, attribute)
        if attribute == "typing":
            offered = offered == "always" or (offered == "text steps" and where.text_step)
        if attribute == "speech":
            offered = offered and where.text_step
        return None if offered else what

    return check


# Each action phrase, and what the way must offer for a text to name it.
ACTIONS: tuple[tuple[re.Pattern[str], Callable[[Way, re.Match[str], Context], str | None]], ...] = (
    (re.compile(r"\b(?:appuye[zr]|touchez|cliquez)\s+sur\s+(?P<target>[^.!?\n:;,]+)", re.I), _press),
    (re.compile(r"\bboutons?\b", re.I), _need("buttons", "buttons")),
    (re.compile(r"\bimages?\b", re.I), _need("buttons", "pictures")),
    (re.compile(r"\bvalide[zr]\b", re.I), _validate),
    (re.compile(rf"\b(?:écrive[zr]|envoye[zr]|tapez)\s+(?:le mot\s+)?[\"«]?\s*(?:{COMMAND_WORDS})\b", re.I),
     _need("typed_commands", "typed commands")),
    (re.compile(r"\bécrivez\b|\bpouvez\s+(?:aussi\s+)?écrire\b", re.I),
     _need("typing", "somewhere to type")),
    (re.compile(r"\benvoye[zr]\s+(?:le |les |un |des )?(?:numéros?|chiffres?|\d)", re.I),
     _need("numbers", "numbered answers")),
    (re.compile(r"\benvoye[zr]\b(?!\s+une?\s+(?:sms|texto))", re.I), _need("typing", "messages to send")),
    (re.compile(r"\btape[zr]\b|\btouches?\b", re.I), _need("keys", "keys")),
    (re.compile(r"(?<!vous )\b(?:dites|parlez)\b", re.I), _need("speech", "a recorded spoken answer")),
)  # fmt: skip


def missing_actions(text: str, way: Way, where: Context) -> list[str]:
    """Return what a text asks the participant to do that this way of answering does not offer."""
    missing: list[str] = []
    for pattern, check in ACTIONS:
        for found in pattern.finditer(text):
            what = check(way, found, where)
            if what and what not in missing:
                missing.append(what)
    return missing
