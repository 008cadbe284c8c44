"""How a person chooses to take part at the welcome: easy-read, standard text, or sound."""

from __future__ import annotations

from collections.abc import Callable

from storage.db import Database
from storage.turns import turn

# The welcome's choice -> (easy-read, audio). Sound comes with easy-read: short sentences
# are easier to follow by ear.
MODES: dict[str, tuple[bool, bool]] = {
    "facile": (True, False),
    "standard": (False, False),
    "audio": (True, True),
}


def prefer(db: Database, key: str, channel: str, address_enc: Callable[[], bytes], mode: str) -> None:
    """Set a participant's reading and audio preferences before their first question."""
    easy, audio = MODES[mode]
    with turn(db) as store:
        participant = store.lock_participant(key, channel, address_enc)
        participant.easy = easy
        participant.audio = audio
        store.save_participant(participant)
