"""Phone numbers: E.164 normalisation (SMS and calls from one number are one participant)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "FR"


class PhoneNumberError(ValueError):
    """A text is not a usable phone number (the message never holds the number itself)."""


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Normalise a phone number to E.164 (+33612345678), national forms read in `region`."""
    text = (raw or "").strip()
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

