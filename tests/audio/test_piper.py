"""Piper without a voice: clear errors, and the offline fallback when one is configured."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.audio.cache import AudioCache
from bot.audio.config import AudioConfig
from bot.audio.engines import EngineNotConfigured
from bot.audio.piper_engine import PiperEngine
from bot.audio.registry import build_engine
from bot.audio.service import AudioService
from bot.settings import SettingsError, load_settings

from .helpers import CountingEngine, espeak


def shipped() -> AudioConfig:
    """Return the audio section as config.yml ships it."""
    return load_settings({}).typed(AudioConfig)


def test_piper_without_a_model_says_which_setting_to_fill() -> None:
    engine = build_engine("piper", shipped())
    with pytest.raises(EngineNotConfigured, match=r"audio\.piper_model is not set"):
        engine.synthesize("Bonjour.", "fr")


def test_piper_with_a_missing_model_names_the_path(tmp_path: Path) -> None:
    engine = PiperEngine(tmp_path / "fr_FR-siwis-medium.onnx")
    with pytest.raises(EngineNotConfigured, match=r"model not found: .*siwis"):
        engine.synthesize("Bonjour.", "fr")


@pytest.mark.skipif(importlib.util.find_spec("piper") is not None, reason="piper-tts installed")
def test_piper_not_installed_says_how_to_install(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"onnx")
    Path(f"{model}.json").write_text("{}")
    with pytest.raises(EngineNotConfigured, match="piper-tts is not installed"):
        PiperEngine(model).synthesize("Bonjour.", "fr")


def test_unconfigured_piper_falls_back_to_espeak_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fallback = CountingEngine(espeak())
    service = AudioService(PiperEngine(None), AudioCache(tmp_path), fallback=fallback)
    clip = service.clip("Merci pour votre aide.", "fr", "ogg")
    assert clip.engine == "espeak" and clip.duration > 0.5
    assert any("piper_model is not set" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)  # fmt: skip


def test_settings_with_fallback_none_make_the_error_visible(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("audio:\n  engine: piper\n  fallback: none\n")
    settings = load_settings({"PORTE_VOIX_DATA_DIR": str(tmp_path)}, config_path=config)
    service = AudioService.from_settings(settings)
    assert service.fallback is None
    with pytest.raises(EngineNotConfigured):
        service.clip("Bonjour.")


def test_an_unknown_engine_name_is_refused() -> None:
    with pytest.raises(EngineNotConfigured, match="unknown audio engine 'festival'"):
        build_engine("festival", shipped())


def test_piper_reads_its_model_and_speaker_from_the_section(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    engine = build_engine("piper", replace(shipped(), piper_model=str(model), piper_speaker=2))
    assert isinstance(engine, PiperEngine) and engine.model == model and engine.speaker == 2
    assert engine.identity("fr")["voice"] == "voice.onnx"


def test_a_misspelt_audio_key_is_refused_by_name(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("audio:\n  piper_modele: /srv/voice.onnx\n")
    with pytest.raises(SettingsError, match=r"unknown key audio\.piper_modele"):
        AudioService.from_settings(load_settings({}, config_path=config))
