"""The settings every command gets: loaded once by the `porte-voix` group, passed through click."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click

from bot.settings import Settings, SettingsError, load_settings

pass_settings = click.make_pass_decorator(Settings)


class SettingsGroup(click.Group):
    """A command group that reports a configuration error as one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the group and its command; a SettingsError (even a section read late) exits with it."""
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc


def settings_for(ctx: click.Context) -> Settings:
    """Return the settings already in the context (a caller's), or load them once."""
    if not isinstance(ctx.obj, Settings):
        ctx.obj = load_settings()
    return ctx.obj


def one_of(module: str, name: str) -> Callable[[click.Context, click.Parameter, str], str]:
    """Return an option callback accepting the values of `module.name`, imported only when used.

    `porte-voix --help` then stays fast: the modules that hold these lists are slow to import.
    """

    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        allowed = getattr(importlib.import_module(module), name)
        if value not in allowed:
            raise click.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return check
