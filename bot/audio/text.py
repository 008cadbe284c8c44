"""Text helpers for speech: normalise, split into sentences, count words, measure rate."""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
_HAS_WORD = re.compile(r"[^\W_]")
# Guillemets and typographic spaces read badly or not at all; speech needs none of them.
_SPEECH_SUBS = str.maketrans({"«": " ", "»": " ", "\u00a0": " ", "\u202f": " ", "’": "'"})


def normalize(text: str) -> str:
    """Return the text in the canonical form the cache key and the engines use."""
    text = unicodedata.normalize("NFC", text)
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line)


def sentences(text: str) -> list[str]:
    """Split a text into sentences: after . ! ? … and at every line break."""
    parts = (part.strip() for part in _SENTENCE_END.split(normalize(text)))
    return [part for part in parts if part and _HAS_WORD.search(part)]


def speakable(sentence: str) -> str:
    """Return a sentence with the characters a voice should not pronounce removed."""
    return " ".join(sentence.translate(_SPEECH_SUBS).split())


def count_words(text: str) -> int:
    """Count the words of a text as a reader would: whitespace tokens holding a letter or digit."""
    return sum(1 for token in text.split() if _HAS_WORD.search(token))


def words_per_minute(text: str, seconds: float) -> float:
    """Return the speech rate of a text spoken in a number of seconds."""
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return count_words(text) * 60.0 / seconds
