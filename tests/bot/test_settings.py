"""Settings: config.yml plus the environment; production refuses the development secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEV_SECRET, SettingsError, load_settings


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
