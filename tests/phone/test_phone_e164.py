"""Phone numbers normalised to E.164."""

from __future__ import annotations

import pytest

from bot.channels.phone import PhoneNumberError, to_e164
from bot.channels.registry import capabilities


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033612345678", "+33612345678"],
)
def test_french_forms_normalise_to_one_e164(raw: str) -> None:
    assert to_e164(raw) == "+33612345678"


def test_foreign_numbers_keep_their_country() -> None:
    assert to_e164("+1 650 555 1212") == "+16505551212"
    assert to_e164("6505551212", region="US") == "+16505551212"


@pytest.mark.parametrize("raw", ["", "abc", "01 23", "not a number 06"])
def test_unusable_numbers_are_refused_without_echoing_them(raw: str) -> None:
    with pytest.raises(PhoneNumberError) as info:
        to_e164(raw)
    assert raw.strip() == "" or raw not in str(info.value)


def test_sms_and_calls_share_one_identity_family() -> None:
    assert capabilities("sms").identity == capabilities("voice").identity == "phone"
    assert capabilities("sms-gateway").identity == "phone"
    assert capabilities("telegram").identity == "telegram"
