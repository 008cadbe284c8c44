"""Mask phone numbers and e-mail addresses in what participants type, before it is stored."""

from __future__ import annotations

import re

import phonenumbers

PHONE_MASK = "[numéro masqué]"
EMAIL_MASK = "[adresse masquée]"
# Digits with anything but letters between them: 06/12/34/56/78, +33 (0)6 12 34 56 78, 0612345678.
_DIGITS = re.compile(r"(?:\+|\b00)?\(?\d(?:[^\w\n]{0,3}\d)+\)?")
# Nine digits or more is a phone number in any country (a date 12/03/2024 has eight).
MIN_DIGITS = 9
# Anything@anything, local names included (x@localhost); also "x [at] y".
_EMAIL = re.compile(r"[^\s@<>()\[\]{},;:\"']+\s*(?:@|\[at\]|\(at\))\s*[^\s@<>()\[\]{},;:\"']+",
                    re.IGNORECASE)  # fmt: skip


def _digit_groups(match: re.Match[str]) -> str:
    """Mask a run of digit groups long enough to be a phone number."""
    text = match.group(0)
    return PHONE_MASK if sum(c.isdigit() for c in text) >= MIN_DIGITS else text


def mask(text: str, region: str = "FR") -> str:
    """Return text with every phone number and e-mail address replaced by a marker."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.POSSIBLE)]  # fmt: skip
    for start, end in reversed(spans):
        text = text[:start] + PHONE_MASK + text[end:]
    return _DIGITS.sub(_digit_groups, text)
