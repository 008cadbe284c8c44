"""The `porte-voix` command: one group that loads the settings once for every command."""

from __future__ import annotations

import logging

import click

from bot.cli.audio import audio
from bot.cli.chat import chat
from bot.cli.context import SettingsGroup, settings_for
from bot.cli.dashboard import facilitator
from bot.cli.export import export
from bot.cli.flows import flows
from bot.cli.nlu import nlu
from bot.cli.phone import phone_command
from bot.cli.privacy import erase_command, purge_command
from bot.cli.serve import db, serve
from bot.cli.telegram import telegram


@click.group(cls=SettingsGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Porte-voix: a participation chatbot for people consultations never reach."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    settings_for(ctx)


for command in (serve, db, chat, audio, export, facilitator, flows, nlu, purge_command, erase_command,
                phone_command, telegram):  # fmt: skip
    main.add_command(command)
