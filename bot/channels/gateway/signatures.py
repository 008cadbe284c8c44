"""The Android gateway's webhook signature: HMAC-SHA256 of the body and a fresh timestamp."""

from __future__ import annotations

import hashlib
import hmac
import time

from bot.channels.webhook import SignatureError

GATEWAY_SIGNATURE = "X-Signature"
GATEWAY_TIMESTAMP = "X-Timestamp"
GATEWAY_MAX_AGE = 300.0


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
