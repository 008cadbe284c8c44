"""Helpers for the audio tests: a counting engine wrapper, ffprobe, a French sentence."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.audio.engines import Engine, Speech
from bot.audio.espeak_engine import EspeakEngine, VoiceChoice

FRENCH = (
    "Bonjour.\n"
    "Nous voulons savoir ce que vous pensez.\n"
    "Vos réponses sont gardées.\n"
    "Appuyez sur un bouton pour répondre."
)


@dataclass
class CountingEngine:
    """Wrap a real engine and count how many times it renders."""

    inner: Engine
    calls: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def native_rate(self) -> bool:
        return self.inner.native_rate

    def identity(self, lang: str) -> dict[str, Any]:
        return self.inner.identity(lang)

    def synthesize(self, text: str, lang: str) -> Speech:
        self.calls.append(text)
        return self.inner.synthesize(text, lang)


def espeak(**kwargs: Any) -> EspeakEngine:
    """Build the default espeak-ng engine, as config.yml configures it."""
    return EspeakEngine(VoiceChoice("fr", "fr", {}), rate=140, pause_ms=450, **kwargs)


def probe(path: Path) -> dict[str, Any]:
    """Return ffprobe's view of an audio file's first stream and container."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    info = json.loads(done.stdout)
    return {"stream": info["streams"][0], "format": info["format"]}
