"""Phone numbers: E.164 normalisation and the identity shared by SMS and calls."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "FR"
# SMS (Twilio or the Android gateway) and calls from one number are one participant: the
# pseudonymous key is derived from this family and the E.164 number, not the channel name.
PHONE_FAMILY = "phone"
PHONE_CHANNELS = frozenset({"sms", "voice", "sms-gateway"})


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


def identity_family(channel: str) -> str:
    """Return the family a channel's addresses are keyed under (phone channels share one)."""
    return PHONE_FAMILY if channel in PHONE_CHANNELS else channel
