"""Webhook signatures: Twilio's validator and the Android gateway's HMAC."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.gateway.signatures import check_gateway, gateway_signature
from bot.channels.twilio.signatures import check_twilio, public_url
from bot.channels.webhook import SignatureError

TOKEN = "twilio-auth-token-for-tests"
URL = "https://vote.example.org/webhooks/twilio/sms"
PARAMS = {"From": "+33612345678", "Body": "EGALITE", "MessageSid": "SM1"}


def test_a_request_signed_by_twilio_passes() -> None:
    signature = RequestValidator(TOKEN).compute_signature(URL, PARAMS)
    check_twilio(TOKEN, URL, PARAMS, signature)


@pytest.mark.parametrize(
    ("url", "params", "signature", "reason"),
    [
        (URL, PARAMS, None, "missing"),
        (URL, PARAMS, "bm90IGEgc2lnbmF0dXJl", "invalid"),
        (URL, {**PARAMS, "Body": "STOP"}, "SIGNED", "invalid"),
        (URL.replace("vote", "evil"), PARAMS, "SIGNED", "invalid"),
    ],
)
def test_a_tampered_or_unsigned_request_is_refused(
    url: str, params: dict[str, str], signature: str | None, reason: str
) -> None:
    if signature == "SIGNED":
        signature = RequestValidator(TOKEN).compute_signature(URL, PARAMS)
    with pytest.raises(SignatureError) as info:
        check_twilio(TOKEN, url, params, signature)
    assert info.value.reason == reason


def test_without_a_token_nothing_is_accepted() -> None:
    with pytest.raises(SignatureError):
        check_twilio("", URL, PARAMS, "anything")


def test_public_url_keeps_the_query_twilio_signed() -> None:
    assert public_url("https://a.org/", "/x", "step=q1&turn=2") == "https://a.org/x?step=q1&turn=2"
    assert public_url("https://a.org", "/x") == "https://a.org/x"


KEY = "gateway-signing-key"
BODY = b'{"event":"sms:received","id":"Ey6E"}'


def test_gateway_signature_is_hex_hmac_of_body_then_timestamp() -> None:
    expected = hmac.new(KEY.encode(), BODY + b"1700000000", hashlib.sha256).hexdigest()
    assert gateway_signature(KEY, BODY, "1700000000") == expected


def test_a_fresh_signed_gateway_event_passes() -> None:
    check_gateway(KEY, BODY, "1700000000", gateway_signature(KEY, BODY, "1700000000"),
                  now=1700000100)  # fmt: skip


@pytest.mark.parametrize(
    ("body", "timestamp", "signed_ts", "now", "reason"),
    [
        (BODY, "1700000000", "1700000000", 1700000301, "stale"),
        (BODY, "1700000000", "1700000000", 1699999600, "stale"),
        (BODY + b" ", "1700000000", "1700000000", 1700000000, "invalid"),
        (BODY, "1700000100", "1700000000", 1700000100, "invalid"),
        (BODY, None, "1700000000", 1700000000, "missing"),
        (BODY, "soon", "soon", 1700000000, "invalid"),
    ],
)
def test_a_stale_tampered_or_unsigned_gateway_event_is_refused(
    body: bytes, timestamp: str | None, signed_ts: str, now: float, reason: str
) -> None:
    signature = gateway_signature(KEY, BODY, signed_ts)
    with pytest.raises(SignatureError) as info:
        check_gateway(KEY, body, timestamp, signature, now=now)
    assert info.value.reason == reason


def test_a_signature_made_with_the_default_port_passes_too() -> None:
    signature = RequestValidator(TOKEN).compute_signature(URL.replace(".org/", ".org:443/"), PARAMS)
    check_twilio(TOKEN, URL, PARAMS, signature)
    with pytest.raises(SignatureError):
        check_twilio(TOKEN, URL, PARAMS, RequestValidator(TOKEN).compute_signature(URL + "x", PARAMS))
