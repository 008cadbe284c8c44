"""The result of understanding one text, and the protocol of every interpreter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

COMMANDS = ("aide", "repeter", "retour", "pause", "passer", "stop", "effacer", "facile",
            "standard", "audio", "sans_audio")  # fmt: skip
INTENTS = ("aide", "repeter", "retour", "pause", "stop", "effacer", "oui", "non",
           "ne_sait_pas", "salutation", "merci", "danger")  # fmt: skip
THEMES = ("travail", "taches_domestiques", "violences", "espace_public", "education",
          "acces_aux_droits", "sport_loisirs", "sante", "handicap", "autre")  # fmt: skip


@dataclass(frozen=True)
class Expectation:
    """What the waiting step expects, so text can be mapped onto it."""

    kind: str = "none"
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Interpretation:
    """What a text means: a command, a choice key, an intent, a theme, a danger flag.

    `source` says who decided ("rules", "embedded", "rasa", "embedded-fallback"); `ranking`
    holds the statistical backend's best labels with their confidence, when it was asked.
    """

    command: str | None = None
    choice: str | None = None
    intent: str | None = None
    theme: str | None = None
    confidence: float = 0.0
    danger: bool = False
    source: str = "none"
    ranking: tuple[tuple[str, float], ...] = ()


class Interpreter(Protocol):
    """Turns text into an Interpretation."""

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        """Interpret one text given what the waiting step expects."""
        ...
