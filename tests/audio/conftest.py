"""Fixtures for the audio tests: a real espeak-ng service on a temporary cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.audio.cache import AudioCache
from bot.audio.service import AudioService

from .helpers import CountingEngine, espeak


@pytest.fixture
def counting() -> CountingEngine:
    """A real espeak-ng engine that counts its renders."""
    return CountingEngine(espeak())


@pytest.fixture
def service(tmp_path: Path, counting: CountingEngine) -> AudioService:
    """An audio service on espeak-ng with a temporary cache."""
    return AudioService(counting, AudioCache(tmp_path / "audio"))
