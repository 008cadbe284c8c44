"""The text-to-speech engines by name: the one module that imports every engine."""

from __future__ import annotations

from collections.abc import Callable

from bot.audio.config import AudioConfig
from bot.audio.engines import Engine, EngineNotConfigured
from bot.audio.espeak_engine import EspeakEngine
from bot.audio.gtts_engine import GttsEngine
from bot.audio.piper_engine import PiperEngine

ENGINES: dict[str, Callable[[AudioConfig], Engine]] = {
    "espeak": EspeakEngine.from_config,
    "gtts": GttsEngine.from_config,
    "piper": PiperEngine.from_config,
}


def build_engine(name: str, config: AudioConfig) -> Engine:
    """Build the engine a name designates, from the audio section of config.yml."""
    if name not in ENGINES:
        raise EngineNotConfigured(f"unknown audio engine {name!r} ({', '.join(ENGINES)})")
    return ENGINES[name](config)
