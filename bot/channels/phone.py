"""Phone numbers: E.164 normalisation (SMS and calls from one number are one participant)."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "FR"


class PhoneNumberError(ValueError):
    """A text is not a usable phone number (the message never holds the number itself)."""


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise a phone number to E.164 (+33612345678), national forms read in `region`."""
    return _e164(raw or "", region)


def forget_numbers() -> None:
    """Drop every number this process keeps in memory (after an erasure: none stays behind)."""
    _e164.cache_clear()


# The same numbers send again and again (every message of a conversation): parsing one costs
# 15 to 50 us, a lookup well under 1. Only numbers read successfully are kept, in this
# process's memory only, the oldest forgotten first.
@lru_cache(maxsize=4096)
def _e164(raw: str, region: str) -> str:
    text = raw.strip()
    if not text:
        raise PhoneNumberError("empty phone number")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError("not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise PhoneNumberError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

