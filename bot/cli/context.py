"""The settings every command gets: loaded once by the `porte-voix` group, passed through click."""

from __future__ import annotations

import click

from bot.settings import Settings, SettingsError, load_settings

pass_settings = click.make_pass_decorator(Settings)


def settings_for(ctx: click.Context) -> Settings:
    """Return the settings already in the context (a caller's), or load them once, or exit why."""
    if isinstance(ctx.obj, Settings):
        return ctx.obj
    try:
        ctx.obj = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    return ctx.obj
