"""Settings: config.yml plus the environment; production refuses the development secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.audio.config import AudioConfig
from bot.config_sections import DatabaseConfig, OutboxConfig
from bot.settings import DEV_SECRET, Settings, SettingsError, load_settings
from bot.throttle import ThrottleConfig
from nlu.factory import NluConfig
from storage.privacy import PrivacyConfig


def test_defaults_use_sqlite_under_data(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("database_url: sqlite:///data/pv.db\nport: 8123\n", encoding="utf-8")
    settings = load_settings({}, config)
    assert settings.database_url == f"sqlite:///{tmp_path}/data/pv.db"
    assert settings.port == 8123 and settings.secret_key == DEV_SECRET


def test_environment_overrides_config(tmp_path: Path) -> None:
    settings = load_settings(
        {"DATABASE_URL": "postgresql+psycopg://u@h/db", "PORTE_VOIX_PORT": "9000"},
        tmp_path / "missing.yml",
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db" and settings.port == 9000


def test_production_refuses_the_development_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="PORTE_VOIX_SECRET_KEY"):
        load_settings({"PORTE_VOIX_MODE": "production"}, tmp_path / "none.yml")
    with pytest.raises(SettingsError, match="32 characters"):
        load_settings({"PORTE_VOIX_MODE": "production", "PORTE_VOIX_SECRET_KEY": "short"},
                      tmp_path / "none.yml")  # fmt: skip
    ok = load_settings({"PORTE_VOIX_MODE": "production", "PORTE_VOIX_SECRET_KEY": "k" * 40},
                       tmp_path / "none.yml")  # fmt: skip
    assert ok.production


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="mode"):
        load_settings({"PORTE_VOIX_MODE": "staging"}, tmp_path / "none.yml")


def config_with(tmp_path: Path, text: str) -> Settings:
    """Return the settings of a config.yml holding only `text`."""
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    return load_settings({}, path)


def test_a_partial_config_keeps_the_shipped_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yml"
    path.write_text("throttle:\n  burst: 3\n", encoding="utf-8")
    monkeypatch.setenv("PORTE_VOIX_CONFIG", str(path))
    settings = load_settings()
    shipped = load_settings({})
    throttle, shipped_throttle = settings.typed(ThrottleConfig), shipped.typed(ThrottleConfig)
    assert throttle.burst == 3 != shipped_throttle.burst
    assert throttle.messages_per_second == shipped_throttle.messages_per_second
    assert settings.typed(AudioConfig) == shipped.typed(AudioConfig)
    assert settings.typed(NluConfig).thresholds == shipped.typed(NluConfig).thresholds
    assert (settings.port, settings.default_flow) == (shipped.port, shipped.default_flow)


@pytest.mark.parametrize(
    ("text", "section", "reason"),
    [
        ("outbox:\n  poll_seconds: often\n", OutboxConfig, r"outbox\.poll_seconds has a wrong value"),
        ("outbox:\n  poll_second: 2\n", OutboxConfig, r"unknown key outbox\.poll_second"),
        ("database:\n  inbound_threads: [4]\n", DatabaseConfig, r"database\.inbound_threads has a wrong"),
        ("privacy:\n  retention_day: 30\n", PrivacyConfig, r"unknown key privacy\.retention_day"),
        ("throttle: {burst: lots}\n", ThrottleConfig, r"throttle\.burst has a wrong value"),
        ("audio:\n  voices: en\n", AudioConfig, r"audio\.voices has a wrong value"),
        ("nlu:\n  backend: spacy\n", NluConfig, r"nlu\.backend must be one of embedded, rasa"),
        ("nlu:\n  breaker_failures: 0\n", NluConfig, r"nlu\.breaker_failures must be positive"),
        ("nlu:\n  thresholds: {theme: high}\n", NluConfig, r"nlu\.thresholds\.theme has a wrong value"),
    ],
)
def test_a_wrong_key_or_type_names_the_key(tmp_path: Path, text: str, section: type[Any],
                                           reason: str) -> None:  # fmt: skip
    settings = config_with(tmp_path, text)
    with pytest.raises(SettingsError, match=reason):
        settings.typed(section)
