"""Settings: config.yml for structure and defaults, the environment for secrets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEV_SECRET = "dev-secret-change-me"
ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """The configuration cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to start, resolved once and passed in."""

    mode: str = "development"
    database_url: str = "sqlite:///data/porte-voix.db"
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    flows_dir: Path = ROOT / "flows" / "definitions"
    default_flow: str = "egalite"
    data_dir: Path = ROOT / "data"
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """Return one section of config.yml (empty when absent)."""
        value = self.raw.get(name) or {}
        return dict(value) if isinstance(value, dict) else {}

    @property
    def production(self) -> bool:
        """Say whether the service runs in production mode."""
        return self.mode == "production"


def _resolve(path: str | Path, base: Path) -> Path:
    """Resolve a relative path against the directory of the config file."""
    p = Path(path)
    return p if p.is_absolute() else base / p


def load_settings(env: dict[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Read config.yml (or PORTE_VOIX_CONFIG) and apply the environment."""
    env = dict(os.environ if env is None else env)
    path = config_path or Path(env.get("PORTE_VOIX_CONFIG", ROOT / "config.yml"))
    raw: dict[str, Any] = {}
    if path.exists():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    base = path.resolve().parent
    mode = env.get("PORTE_VOIX_MODE", raw.get("mode", "development"))
    data_dir = _resolve(env.get("PORTE_VOIX_DATA_DIR", raw.get("data_dir", "data")), base)
    db_url = env.get("DATABASE_URL") or raw.get("database_url") or "sqlite:///data/porte-voix.db"
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        relative = db_url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            db_url = "sqlite:///" + str(_resolve(relative, base))
    settings = Settings(
        mode=mode,
        database_url=db_url,
        secret_key=env.get("PORTE_VOIX_SECRET_KEY", DEV_SECRET),
        host=str(raw.get("host", "127.0.0.1")),
        port=int(env.get("PORTE_VOIX_PORT", raw.get("port", 8000))),
        public_base_url=env.get("PORTE_VOIX_PUBLIC_URL", raw.get("public_base_url", "")).rstrip("/")
        or "http://127.0.0.1:8000",
        flows_dir=_resolve(raw.get("flows_dir", "flows/definitions"), base),
        default_flow=str(raw.get("default_flow", "egalite")),
        data_dir=data_dir,
        raw=raw,
    )
    check(settings)
    return settings


def check(settings: Settings) -> None:
    """Refuse settings that would be unsafe to run."""
    if settings.mode not in ("development", "production", "test"):
        raise SettingsError(f"mode must be development, production or test, not {settings.mode!r}")
    if settings.production and (settings.secret_key == DEV_SECRET or len(settings.secret_key) < 32):
        raise SettingsError(
            "production mode needs PORTE_VOIX_SECRET_KEY: a random secret of 32 characters or "
            "more (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
