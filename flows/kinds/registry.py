"""The one registry of step kinds: every part of Porte-voix asks it what a kind does."""

from __future__ import annotations

import importlib
import pkgutil

from flows.kinds.base import Kind

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make a kind usable in flows; refuse a name already taken."""
    if kind.name in _KINDS:
        raise ValueError(f"step kind '{kind.name}' is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (flows that use it no longer load)."""
    del _KINDS[name]


def get(name: str) -> Kind:
    """Return the kind of this name (KeyError when none is registered)."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown step kind '{name}'") from None


def known(name: object) -> bool:
    """Say whether a kind of this name is registered."""
    return isinstance(name, str) and name in _KINDS


def names() -> tuple[str, ...]:
    """Return the registered kind names, sorted."""
    return tuple(sorted(_KINDS))


def register_package(package: str, path: list[str]) -> None:
    """Register the `KIND` of every module of a package (the built-in kinds)."""
    for module in pkgutil.iter_modules(path):
        kind = getattr(importlib.import_module(f"{package}.{module.name}"), "KIND", None)
        if isinstance(kind, Kind):
            register(kind)
