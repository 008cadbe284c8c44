"""gTTS against a fake Google at the HTTP boundary: success, 429 → retry, 429 → espeak fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from bot.audio.cache import AudioCache
from bot.audio.convert import decoded_duration
from bot.audio.engines import EngineError
from bot.audio.gtts_engine import GttsEngine
from bot.audio.service import AudioService
from bot.audio.text import words_per_minute
from bot.settings import load_settings

from .fake_google import FakeGoogle
from .helpers import CountingEngine, espeak

TEXT = "Vous êtes en sécurité ici.\nVos réponses restent secrètes.\nMerci de votre aide."


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """A fake Google TTS endpoint; any other request fails as if offline."""
    fake = FakeGoogle()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff delays the engine asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def gtts(sleeps: list[float]) -> GttsEngine:
    """A gTTS engine with a short backoff ceiling, recording its sleeps."""
    return GttsEngine(target_wpm=140, tld="fr", retries=2, backoff=0.5, max_delay=4.0,
                      sleep=sleeps.append)  # fmt: skip


@pytest.fixture
def fallback() -> CountingEngine:
    """The offline engine the service falls back to, counting its renders."""
    return CountingEngine(espeak())


def make(tmp_path: Path, gtts: GttsEngine, fallback: CountingEngine | None) -> AudioService:
    """An audio service on gTTS with an espeak-ng fallback."""
    return AudioService(gtts, AudioCache(tmp_path / "audio"), fallback=fallback, cooldown=60)


def test_gtts_audio_is_decoded_and_fitted_to_the_calm_rate(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine, fallback: CountingEngine
) -> None:
    clip = make(tmp_path, gtts, fallback).clip(TEXT, "fr", "ogg")
    assert clip.engine == "gtts"
    assert fallback.calls == []
    assert google.texts == ["Vous êtes en sécurité ici. Vos réponses restent secrètes. "
                            "Merci de votre aide."]  # fmt: skip
    assert google.langs == ["fr"]
    # Google (here: a fast voice) speaks above 160 wpm; the clip is slowed to the target.
    assert 130 <= words_per_minute(TEXT, decoded_duration(clip.path)) <= 150


def test_429_is_retried_after_the_delay_google_asks_for(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine, fallback: CountingEngine,
    sleeps: list[float],
) -> None:  # fmt: skip
    google.script = [429]
    google.retry_after = "3"
    clip = make(tmp_path, gtts, fallback).clip(TEXT)
    assert clip.engine == "gtts"
    assert len(google.texts) == 2
    assert sleeps == [3.0]


def test_repeated_429_falls_back_to_espeak_with_a_warning_and_no_text_in_logs(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine, fallback: CountingEngine,
    sleeps: list[float], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO)
    google.script = [429, 429, 429]
    service = make(tmp_path, gtts, fallback)
    clip = service.clip(TEXT, "fr", "ogg")
    assert clip.engine == "espeak"
    assert len(google.texts) == 3  # first try and two retries
    assert sleeps == [0.5, 1.0]  # exponential backoff
    assert decoded_duration(clip.path) > 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "gtts" in warnings[0].getMessage() and "HTTP 429" in warnings[0].getMessage()
    assert "espeak" in warnings[0].getMessage()
    for record in caplog.records:
        assert "sécurité" not in record.getMessage()

    # During the cooldown, Google is left alone and the offline clip is served from cache.
    again = service.clip(TEXT, "fr", "ogg")
    assert again == clip
    assert len(google.texts) == 3
    assert len(fallback.calls) == 1


def test_a_refusal_is_not_retried(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine, fallback: CountingEngine,
    sleeps: list[float],
) -> None:  # fmt: skip
    google.script = [403]
    clip = make(tmp_path, gtts, fallback).clip(TEXT)
    assert clip.engine == "espeak"
    assert len(google.texts) == 1 and sleeps == []


def test_lost_connections_are_retried_then_succeed(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine, fallback: CountingEngine
) -> None:
    google.script = ["drop"]
    assert make(tmp_path, gtts, fallback).clip(TEXT).engine == "gtts"
    assert len(google.texts) == 2


def test_without_a_fallback_the_failure_is_raised(
    tmp_path: Path, google: FakeGoogle, gtts: GttsEngine
) -> None:
    google.script = [503, 503, 503]
    with pytest.raises(EngineError, match="failed after 3 attempts \\(HTTP 503\\)"):
        make(tmp_path, gtts, None).clip(TEXT)


def test_settings_choose_gtts_with_the_offline_fallback(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("audio:\n  engine: gtts\n  gtts_tld: fr\n  gtts_retries: 5\n")
    settings = load_settings({"PORTE_VOIX_DATA_DIR": str(tmp_path)}, config_path=config)
    service = AudioService.from_settings(settings)
    assert isinstance(service.engine, GttsEngine) and service.engine.retries == 5
    assert service.fallback is not None and service.fallback.name == "espeak"
