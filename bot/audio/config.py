"""config.yml `audio:` as a typed section: engines, voices, rate, cache and encodings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class AudioConfig:
    """The audio section; every default is in the shipped config.yml."""

    SECTION: ClassVar[str] = "audio"
    engine: str
    fallback: str | None  # none (or null) to fail instead
    voice: str
    voices: dict[str, str]
    language: str
    words_per_minute: int
    espeak_rate: int
    sentence_pause_ms: int
    cache_dir: Path
    opus_bitrate: str
    mp3_bitrate: str
    gtts_tld: str
    gtts_retries: int
    fallback_cooldown_seconds: float
    piper_model: str
    piper_speaker: int | None
    memory_cache_mb: float
