"""Twilio's X-Twilio-Signature, checked against the public URL Twilio called."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from twilio.request_validator import RequestValidator, add_port, compare, remove_port

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
    validator = _validator(token)
    if "bodySHA256" in url:  # a JSON body signed by its hash: Twilio's own whole check
        valid = validator.validate(url, params, signature)
    else:
        # Twilio's check signs the URL with and without its port, always both; the form it
        # uses (no port, as configured) is tried first, and the other only if that fails.
        valid = any(compare(validator.compute_signature(u, params), signature) for u in _urls(url))
    if not valid:
        raise SignatureError("invalid")


@lru_cache(maxsize=8)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


@lru_cache(maxsize=256)
def _urls(url: str) -> tuple[str, str]:
    """Return the URL without its port, then with it (the two forms Twilio may have signed)."""
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)
