"""Telegram settings: structure from config.yml (`telegram:`), secrets from the environment."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from bot.settings import Settings, SettingsError

DEFAULT_API = "https://api.telegram.org"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class TelegramSection:
    """config.yml `telegram:` (the token and the webhook secret come from the environment)."""

    SECTION: ClassVar[str] = "telegram"
    api_base_url: str
    overall_rate: float
    chat_rate: float
    chat_burst: float
    max_retry_wait_seconds: float
    max_update_bytes: int
    max_voice_bytes: int
    poll_timeout_seconds: int


@dataclass(frozen=True)
class TelegramConfig:
    """What the Telegram channel needs, resolved once."""

    token: str
    webhook_secret: str
    callback_secret: str
    api_base_url: str = DEFAULT_API
    public_base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path("data")
    default_flow: str = "egalite"
    overall_rate: float = 30.0
    chat_rate: float = 1.0
    chat_burst: float = 3.0
    max_retry_wait: float = 5.0
    max_update_bytes: int = 1024 * 1024
    max_voice_bytes: int = 10 * 1024 * 1024
    poll_timeout: int = 30

    @property
    def base_url(self) -> str:
        """Return the Bot API method URL prefix PTB expects (the token is appended)."""
        return f"{self.api_base_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the file download URL prefix PTB expects (the token is appended)."""
        return f"{self.api_base_url}/file/bot"

    @property
    def webhook_url(self) -> str:
        """Return the public URL Telegram posts updates to."""
        return f"{self.public_base_url}{WEBHOOK_PATH}"

    @property
    def recordings_dir(self) -> Path:
        """Return the root of recorded answers (audio_ref is relative to it; erasure uses it)."""
        return self.data_dir / "recordings"

    @property
    def voice_dir(self) -> Path:
        """Return where received voice notes are kept."""
        return self.recordings_dir / "telegram"


def derived_secret(secret_key: str, purpose: str) -> str:
    """Derive a stable secret from the server secret (URL-safe, as Telegram requires)."""
    digest = hmac.new(secret_key.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def telegram_config(settings: Settings, env: Mapping[str, str] | None = None) -> TelegramConfig | None:
    """Read the Telegram settings; None when TELEGRAM_BOT_TOKEN is not set."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return None
    if not TOKEN_RE.match(token):
        raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters)")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or derived_secret(
        settings.secret_key, "porte-voix telegram webhook"
    )
    if not SECRET_RE.match(secret):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)"
        )
    section = settings.typed(TelegramSection)
    api = env.get("TELEGRAM_API_BASE_URL") or section.api_base_url or DEFAULT_API
    return TelegramConfig(
        token=token,
        webhook_secret=secret,
        callback_secret=derived_secret(settings.secret_key, "porte-voix telegram buttons"),
        api_base_url=api.rstrip("/"),
        public_base_url=settings.public_base_url,
        data_dir=settings.data_dir,
        default_flow=settings.default_flow,
        overall_rate=section.overall_rate,
        chat_rate=section.chat_rate,
        chat_burst=section.chat_burst,
        max_retry_wait=section.max_retry_wait_seconds,
        max_update_bytes=section.max_update_bytes,
        max_voice_bytes=section.max_voice_bytes,
        poll_timeout=section.poll_timeout_seconds,
    )
