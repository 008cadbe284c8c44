"""Twilio's X-Twilio-Signature, checked against the public URL Twilio called."""

from __future__ import annotations

from typing import Any

from twilio.request_validator import RequestValidator

from bot.channels.webhook import SignatureError

TWILIO_HEADER = "X-Twilio-Signature"


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
