"""SMS budget: GSM-7 versus UCS-2 encoding, segment counts, and GSM-friendly rewriting."""

from __future__ import annotations

import re
import unicodedata
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
    "Û": "U", "á": "a", "í": "i", "ó": "o", "ú": "u", "Ë": "E", "Ï": "I", "Ù": "U", "ÿ": "y",
    "\t": " ", "\u2011": "-", "\u2212": "-", "\u00ad": "", "•": "-", "\u2007": " ",
}  # fmt: skip
# Replacements that change no meaning at all (punctuation and spaces only).
TYPOGRAPHIC = {k: v for k, v in GSM_REPLACEMENTS.items() if not k.isalpha()}
_TABLES = {False: str.maketrans(GSM_REPLACEMENTS), True: str.maketrans(TYPOGRAPHIC)}
# Characters that may be pictographs: joiners, selectors, keycap, and everything from arrows up.
_MAYBE_PICTOGRAPH = re.compile("[\u200d\ufe0e\ufe0f\u20e3\u2190-\U0010ffff]")
_GSM7_WIDE = re.compile("[" + re.escape("".join(sorted(GSM7_EXTENDED))) + "]")
_UCS2_WIDE = re.compile("[\U00010000-\U0010ffff]")
_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_ALL))) + "]")


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
    offending = tuple(sorted(set(_NOT_GSM7.findall(text))))
    if not offending:
        # An extension character is an escape plus a septet: two units, never split.
        wide = _GSM7_WIDE.search(text) is not None
        sizes = [2 if ch in GSM7_EXTENDED else 1 for ch in text] if wide else None
        units = sum(sizes) if sizes else len(text)
        return SmsBudget("GSM-7", units, _segments(units, sizes, SINGLE_GSM, MULTI_GSM), ())
    # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two, never split.
    wide = _UCS2_WIDE.search(text) is not None
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text] if wide else None
    units = sum(sizes) if sizes else len(text)
    return SmsBudget("UCS-2", units, _segments(units, sizes, SINGLE_UCS2, MULTI_UCS2), offending)


def _segments(total: int, sizes: list[int] | None, single: int, multi: int) -> int:
    """Count the segments needed when characters (sizes; None: all one unit) cannot straddle two."""
    if total <= single:
        return 1
    if sizes is None:
        return -(-total // multi)
    count, used = 1, 0
    for size in sizes:
        if used + size > multi:
            count, used = count + 1, 0
        used += size
    return count


def strip_pictographs(text: str) -> str:
    """Remove emoji and their joiners and selectors (they force UCS-2 and say little in SMS)."""
    if _MAYBE_PICTOGRAPH.search(text) is not None:  # else, the usual case, nothing to remove
        text = "".join(ch for ch in text if not _is_pictograph(ch))
    return re.sub(r"[ \t]{2,}", " ", text).replace(" \n", "\n").strip(" ")


def _is_pictograph(ch: str) -> bool:
    """Say whether a character is an emoji, a joiner or a variation selector."""
    code = ord(ch)
    if code in (0x200D, 0xFE0E, 0xFE0F, 0x20E3) or 0x1F3FB <= code <= 0x1F3FF:
        return True
    return code >= 0x2190 and unicodedata.category(ch) == "So"


def to_gsm7(text: str, typographic_only: bool = False) -> str:
    """Rewrite characters that force UCS-2 into GSM-7 equivalents where one exists."""
    return text.translate(_TABLES[typographic_only])
