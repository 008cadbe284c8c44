"""`porte-voix telegram`: register the webhook, or run the bot by long polling."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

import click

from bot.cli.context import pass_settings
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.channels.telegram.config import TelegramConfig

ALLOWED_UPDATES = ["message", "callback_query"]


def _config(settings: Settings) -> TelegramConfig:
    """Return the Telegram settings or exit explaining what is missing."""
    from bot.channels.telegram.config import telegram_config

    try:
        config = telegram_config(settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if config is None:
        raise click.ClickException("set TELEGRAM_BOT_TOKEN (from @BotFather) first")
    return config


@click.group("telegram")
def telegram() -> None:
    """Telegram: register the webhook, or poll on a laptop."""


async def register(config: TelegramConfig, drop_pending: bool) -> str:
    """Register the webhook URL and secret with the Bot API; return the URL."""
    from bot.channels.telegram.channel import make_bot

    async with make_bot(config) as bot:
        await bot.set_webhook(
            config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=drop_pending,
            max_connections=40,
        )
    return config.webhook_url


@telegram.command("set-webhook")
@click.option("--drop-pending", is_flag=True, help="Forget updates Telegram still holds.")
@pass_settings
def set_webhook(settings: Settings, drop_pending: bool) -> None:
    """Point Telegram at {public_base_url}/webhooks/telegram, with the secret token."""
    from telegram.error import TelegramError

    config = _config(settings)
    if not config.webhook_url.startswith("https://"):
        click.echo("warning: Telegram only delivers to https URLs (set PORTE_VOIX_PUBLIC_URL)", err=True)
    try:
        url = asyncio.run(register(config, drop_pending))
    except TelegramError as exc:
        raise click.ClickException(f"Telegram refused the webhook: {exc}") from exc
    click.echo(f"webhook set: {url}")


@telegram.command("delete-webhook")
@pass_settings
def delete_webhook(settings: Settings) -> None:
    """Stop webhook delivery (polling needs it off)."""
    from bot.channels.telegram.channel import make_bot

    config = _config(settings)

    async def delete() -> None:
        async with make_bot(config) as bot:
            await bot.delete_webhook()

    asyncio.run(delete())
    click.echo("webhook deleted")


async def poll_until_stopped(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Build the services and poll until `stop` is set (or SIGINT/SIGTERM); return updates seen."""
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.poll import Poller
    from bot.channels.telegram.updates import UpdateHandler
    from bot.container import build_services

    services = build_services(settings)
    channel = services.channels.get("telegram")
    if not isinstance(channel, TelegramChannel):
        raise click.ClickException("set TELEGRAM_BOT_TOKEN (from @BotFather) first")
    services.db.upgrade()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled_signals = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled_signals.append(sig)
    poller = Poller(channel, UpdateHandler(channel, services))
    repair = asyncio.create_task(services.dispatcher.run_forever())
    try:
        await poller.run(stop)
    finally:
        for sig in handled_signals:
            loop.remove_signal_handler(sig)
        repair.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await repair
        await channel.aclose()
        services.db.dispose()
    return poller.handled


@telegram.command("poll")
@pass_settings
def poll(settings: Settings) -> None:
    """Run the bot by long polling (Ctrl-C stops it after the current update)."""
    from telegram.error import TelegramError

    _config(settings)
    click.echo("polling Telegram; Ctrl-C to stop")
    try:
        handled = asyncio.run(poll_until_stopped(settings))
    except TelegramError as exc:
        raise click.ClickException(f"polling stopped: {exc}") from exc
    click.echo(f"stopped; updates handled: {handled}")
