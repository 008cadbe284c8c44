"""Pseudonymous keys and encrypted addresses, both derived from the server secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import ClassVar

from cryptography.fernet import Fernet, InvalidToken


@dataclass(frozen=True)
class PrivacyConfig:
    """config.yml `privacy:`: the smallest group shown, how long data and read-backs are kept."""

    SECTION: ClassVar[str] = "privacy"
    min_group_size: int
    retention_days: int
    readback_audio_days: float


class Crypto:
    """Derive a participant key (HMAC) and encrypt/decrypt addresses (Fernet)."""

    def __init__(self, secret: str) -> None:
        master = secret.encode("utf-8")
        self._hmac_key = hmac.new(master, b"porte-voix participant key", hashlib.sha256).digest()
        fernet_key = hmac.new(master, b"porte-voix address encryption", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(fernet_key))

    def participant_key(self, channel: str, address: str) -> str:
        """Return the pseudonymous key of (channel, address)."""
        data = f"{channel}\x00{address}".encode()
        return hmac.new(self._hmac_key, data, hashlib.sha256).hexdigest()

    def encrypt(self, address: str) -> bytes:
        """Encrypt an address for storage."""
        return self._fernet.encrypt(address.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt a stored address (ValueError when it was not made with this secret)."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("address was encrypted with another secret") from exc
