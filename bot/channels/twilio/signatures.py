"""Webhook signatures: Twilio's X-Twilio-Signature and the Android gateway's HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from twilio.request_validator import RequestValidator

TWILIO_HEADER = "X-Twilio-Signature"
GATEWAY_SIGNATURE = "X-Signature"
GATEWAY_TIMESTAMP = "X-Timestamp"
GATEWAY_MAX_AGE = 300.0


class SignatureError(Exception):
    """A webhook request is not signed as it should be (reason: missing, invalid, stale)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def public_url(base_url: str, path: str, query: str = "") -> str:
    """Return the URL the platform called, as configured on its side (the signed one)."""
    url = base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def check_twilio(token: str, url: str, params: Any, signature: str | None) -> None:
    """Raise SignatureError unless Twilio signed these form parameters for this URL."""
    if not token:
        raise SignatureError("unconfigured")
    if not signature:
        raise SignatureError("missing")
    if not RequestValidator(token).validate(url, params, signature):
        raise SignatureError("invalid")


def sign_twilio(token: str, url: str, params: Any) -> str:
    """Compute the signature Twilio sends for a request (used by tests and the CLI)."""
    return str(RequestValidator(token).compute_signature(url, params))


def gateway_signature(key: str, body: bytes, timestamp: str) -> str:
    """Compute the gateway's signature: hex HMAC-SHA256 of the raw body then the timestamp."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def check_gateway(
    key: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
    max_age: float = GATEWAY_MAX_AGE,
) -> None:
    """Raise SignatureError unless the body is signed with the key within max_age seconds."""
    if not key:
        raise SignatureError("unconfigured")
    if not timestamp or not signature:
        raise SignatureError("missing")
    try:
        sent_at = int(timestamp.strip())
    except ValueError as exc:
        raise SignatureError("invalid") from exc
    expected = gateway_signature(key, body, timestamp.strip())
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("invalid")
    current = time.time() if now is None else now
    if abs(current - sent_at) > max_age:
        raise SignatureError("stale")
