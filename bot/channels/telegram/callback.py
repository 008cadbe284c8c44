"""Inline button data: run, step and choice in at most 64 bytes, signed so it cannot be forged.

Layout: `<kind><run>|<step>|<value>|<tag>` where kind is `c` (a choice key) or `n` (a
navigation command), run is the run id in base 36 (empty outside a run), and tag is the first
8 characters of an HMAC-SHA256 over the rest, URL-safe base64. Telegram clients send the data
back untouched, but a modified client can send anything: an unsigned or altered payload is
refused before it reaches the service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
TAG_LENGTH = 8
SEPARATOR = "|"
COMMAND_PREFIX = "cmd:"


class CallbackTooLong(ValueError):
    """The button's run, step and value do not fit in Telegram's 64 bytes."""


@dataclass(frozen=True)
class ButtonData:
    """What a pressed button means: a choice key or a command, on a step of a run."""

    value: str
    step: str | None = None
    run_id: int | None = None

    @property
    def is_command(self) -> bool:
        """Say whether the button is a navigation command (cmd:aide, cmd:passer, ...)."""
        return self.value.startswith(COMMAND_PREFIX)


def _base36(number: int) -> str:
    """Write a non-negative integer in base 36."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


class CallbackCodec:
    """Encode and verify button data with a key derived from the server secret."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode("utf-8"), b"porte-voix telegram buttons", hashlib.sha256).digest()

    def _tag(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:TAG_LENGTH]

    def encode(self, data: ButtonData) -> str:
        """Return the callback_data of a button (CallbackTooLong when it cannot fit)."""
        step = data.step or ""
        if SEPARATOR in step or SEPARATOR in data.value:
            raise CallbackTooLong(f"'{SEPARATOR}' cannot appear in a step id or a choice key")
        kind, value = "c", data.value
        if data.is_command:
            kind, value = "n", data.value.removeprefix(COMMAND_PREFIX)
        run = _base36(data.run_id) if data.run_id is not None else ""
        body = f"{kind}{run}{SEPARATOR}{step}{SEPARATOR}{value}"
        encoded = f"{body}{SEPARATOR}{self._tag(body)}"
        if len(encoded.encode("utf-8")) > MAX_BYTES:
            raise CallbackTooLong(f"button data of {len(encoded.encode())} bytes (max {MAX_BYTES})")
        return encoded

    def decode(self, raw: str | None) -> ButtonData | None:
        """Return the button a callback_data names, or None when it is malformed or forged."""
        if not raw or len(raw.encode("utf-8")) > MAX_BYTES:
            return None
        body, _, tag = raw.rpartition(SEPARATOR)
        if not body or not hmac.compare_digest(tag, self._tag(body)):
            return None
        parts = body.split(SEPARATOR)
        if len(parts) != 3 or not parts[0] or parts[0][0] not in "cn" or not parts[2]:
            return None
        head, step, value = parts
        try:
            run_id = int(head[1:], 36) if head[1:] else None
        except ValueError:
            return None
        if head[0] == "n":
            value = COMMAND_PREFIX + value
        return ButtonData(value=value, step=step or None, run_id=run_id)
