"""Settings: config.yml for structure and defaults, the environment for secrets."""

from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import yaml

DEV_SECRET = "dev-secret-change-me"
ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "config.yml"


class SectionType(Protocol):
    """A typed config section: a frozen dataclass that names its `config.yml` section."""

    SECTION: ClassVar[str]


S = TypeVar("S", bound=SectionType)


class SettingsError(RuntimeError):
    """The configuration cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to start, resolved once and passed in."""

    mode: str
    database_url: str
    secret_key: str
    host: str
    port: int
    public_base_url: str
    flows_dir: Path
    default_flow: str
    data_dir: Path
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """Return one section of config.yml over the shipped defaults (empty when absent)."""
        value = self.raw.get(name) or {}
        own = dict(value) if isinstance(value, dict) else {}
        return _merge(_shipped().get(name) or {}, own)

    def typed(self, cls: type[S]) -> S:
        """Return a config section as its typed dataclass (defaults from the shipped config.yml)."""
        return build_section(cls, self.section(cls.SECTION), cls.SECTION)

    @property
    def production(self) -> bool:
        """Say whether the service runs in production mode."""
        return self.mode == "production"


@cache
def _shipped() -> dict[str, Any]:
    """Return the shipped config.yml: the one place where every default is written."""
    if not SHIPPED_CONFIG.exists():
        raise SettingsError(f"the shipped configuration {SHIPPED_CONFIG} is missing")
    return yaml.safe_load(SHIPPED_CONFIG.read_text(encoding="utf-8")) or {}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Return `base` with `over` laid on top, nested mappings merged key by key."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_section(cls: type[S], data: dict[str, Any], where: str) -> S:
    """Build a typed section from a mapping: every field present, no unknown key, types coerced.

    A section may check its values in `__post_init__`: a ValueError there starts with the field's
    name, and is reported as `section.field ...`.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise SettingsError(f"config.yml: unknown key {where}.{unknown[0]}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SettingsError(f"config.yml: {where}.{name} is missing")
            continue
        values[name] = _coerce(hints[name], data[name], f"{where}.{name}")
    try:
        return cls(**values)
    except ValueError as exc:
        raise SettingsError(f"config.yml: {where}.{exc}") from exc


def _coerce(kind: Any, value: Any, where: str) -> Any:
    """Coerce one config value to its declared type, or say which key is wrong."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if value is None and type(None) in args:
        return None
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kind = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise SettingsError(f"config.yml: {where} must be a mapping")
        return build_section(kind, value, where)  # type: ignore[type-var]
    try:
        if origin is dict:
            return {str(k): _coerce(args[1], v, f"{where}.{k}") if args else v
                    for k, v in dict(value).items()}  # fmt: skip
        if origin is tuple:
            return tuple(_coerce(args[0], v, where) if args else v for v in value)
        if origin is typing.Literal:
            if value not in args:
                raise SettingsError(f"config.yml: {where} must be one of {', '.join(map(str, args))}")
            return value
        if kind is bool:
            if isinstance(value, bool):
                return value
            raise SettingsError(f"config.yml: {where} must be true or false")
        if kind in (int, float, str, Path):
            return kind(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"config.yml: {where} has a wrong value ({exc})") from exc
    return value


def _resolve(path: str | Path, base: Path) -> Path:
    """Resolve a relative path against the directory of the config file."""
    p = Path(path)
    return p if p.is_absolute() else base / p


def load_settings(env: dict[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Read config.yml (or PORTE_VOIX_CONFIG) and apply the environment."""
    env = dict(os.environ if env is None else env)
    path = config_path or Path(env.get("PORTE_VOIX_CONFIG", ROOT / "config.yml"))
    own: dict[str, Any] = {}
    if path.exists():
        own = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    top = _merge(_shipped(), own)
    base = path.resolve().parent
    db_url = str(env.get("DATABASE_URL") or top["database_url"])
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        relative = db_url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            db_url = "sqlite:///" + str(_resolve(relative, base))
    settings = Settings(
        mode=str(env.get("PORTE_VOIX_MODE", top["mode"])),
        database_url=db_url,
        secret_key=env.get("PORTE_VOIX_SECRET_KEY", DEV_SECRET),
        host=str(top["host"]),
        port=int(env.get("PORTE_VOIX_PORT", top["port"])),
        public_base_url=str(env.get("PORTE_VOIX_PUBLIC_URL") or top["public_base_url"]).rstrip("/"),
        flows_dir=_resolve(top["flows_dir"], base),
        default_flow=str(top["default_flow"]),
        data_dir=_resolve(env.get("PORTE_VOIX_DATA_DIR", top["data_dir"]), base),
        raw=own,
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
