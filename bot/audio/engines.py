"""What every text-to-speech engine shares: the protocol, its errors, the audio it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_PAUSE_MS = 450  # engines built without config.yml (benches, tests)
FIT_MIN_WORDS = 4  # below this, a rate in words per minute means little


class EngineError(RuntimeError):
    """A text-to-speech engine could not render a text."""


class EngineNotConfigured(EngineError):
    """An engine is missing its package, program or voice model."""


@dataclass(frozen=True)
class Speech:
    """Audio produced by an engine, in the container it came in (wav or mp3)."""

    data: bytes
    container: str


class Engine(Protocol):
    """A text-to-speech engine: renders one text in one language."""

    @property
    def name(self) -> str:
        """Return the engine's name (espeak, gtts, piper), part of the cache key."""
        ...

    @property
    def native_rate(self) -> bool:
        """Say whether the engine meets words_per_minute itself (else the service fits it)."""
        ...

    def identity(self, lang: str) -> dict[str, Any]:
        """Return what, besides the text, changes this engine's output (voice, rate, pause)."""
        ...

    def synthesize(self, text: str, lang: str) -> Speech:
        """Render a text; raise EngineError when that is impossible."""
        ...


def wav_seconds(data: bytes) -> float:
    """Return the duration of PCM WAV bytes (also when streamed with a placeholder size)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("not a WAV stream")
    rate = int.from_bytes(data[24:28], "little")
    block = int.from_bytes(data[32:34], "little")
    start = data.find(b"data", 12)
    if start < 0 or rate <= 0 or block <= 0:
        raise EngineError("WAV stream without audio data")
    return (len(data) - start - 8) / (rate * block)
