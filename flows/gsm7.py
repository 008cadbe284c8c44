"""SMS budget: GSM-7 versus UCS-2 encoding, segment counts, and GSM-friendly rewriting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 basic character set (one septet each) and its extension table (two septets each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM7_ALL = GSM7_BASIC | GSM7_EXTENDED
SINGLE_GSM, MULTI_GSM = 160, 153
SINGLE_UCS2, MULTI_UCS2 = 70, 67

# Typographic characters that force UCS-2, and the GSM-7 text that says the same.
GSM_REPLACEMENTS = {
    "’": "'", "‘": "'", "‚": ",", "“": '"', "”": '"', "«": '"', "»": '"', "„": '"',
    "–": "-", "—": "-", "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "ç": "c", "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u",
    "œ": "oe", "Œ": "OE", "È": "E", "Ê": "E", "À": "A", "Â": "A", "Î": "I", "Ô": "O",
    "Û": "U", "á": "a", "í": "i", "ó": "o", "ú": "u",
}  # fmt: skip
# Replacements that change no meaning at all (punctuation and spaces only).
TYPOGRAPHIC = {k: v for k, v in GSM_REPLACEMENTS.items() if not k.isalpha()}


@dataclass(frozen=True)
class SmsBudget:
    """How an SMS text is encoded and how many segments it costs."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int
    offending: tuple[str, ...]


def encoding_of(text: str) -> Literal["GSM-7", "UCS-2"]:
    """Return the encoding a phone will use for this text."""
    return "GSM-7" if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text) else "UCS-2"


def budget(text: str) -> SmsBudget:
    """Count the encoding, code units and segments of an SMS text."""
    offending = tuple(sorted({ch for ch in text if ch not in GSM7_ALL}))
    if not offending:
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        segments = 1 if units <= SINGLE_GSM else -(-units // MULTI_GSM)
        return SmsBudget("GSM-7", units, segments, ())
    # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= SINGLE_UCS2 else -(-units // MULTI_UCS2)
    return SmsBudget("UCS-2", units, segments, offending)


def to_gsm7(text: str, typographic_only: bool = False) -> str:
    """Rewrite characters that force UCS-2 into GSM-7 equivalents where one exists."""
    table = TYPOGRAPHIC if typographic_only else GSM_REPLACEMENTS
    return "".join(table.get(ch, ch) for ch in text)
