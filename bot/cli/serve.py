"""`porte-voix serve` and `porte-voix db upgrade`: run the web service, migrate its database."""

from __future__ import annotations

import click

from bot.cli.context import pass_settings
from bot.settings import Settings, SettingsError

WORKER_START_SECONDS = 60


@click.command()
@click.option("--host", default=None, help="Interface to bind (config.yml: host).")
@click.option("--port", default=None, type=int, help="Port (config.yml: port).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
@pass_settings
def serve(settings: Settings, host: str | None, port: int | None, workers: int) -> None:
    """Run the web service: kiosk, webhooks and dashboard."""
    import uvicorn

    from bot.proxies import uvicorn_options
    from bot.security_headers import check_public_url
    from storage.db import Database

    try:
        check_public_url(settings)  # before any worker starts: one clear message
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    db = Database(settings.database_url)
    db.upgrade()
    db.dispose()
    host, port = host or settings.host, port or settings.port
    click.echo(f"Porte-voix kiosk: http://{host}:{port}/kiosk")
    # A worker answers uvicorn's health pings only once it has imported the CLI and the app
    # (seconds of CPU); past uvicorn's default 5 s it is killed and respawned forever.
    uvicorn.run("bot.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=False, **uvicorn_options(settings),
                timeout_worker_healthcheck=WORKER_START_SECONDS)  # fmt: skip


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_settings
def db_upgrade(settings: Settings) -> None:
    """Migrate the database to the latest schema."""
    from storage.db import Database

    Database(settings.database_url).upgrade()
    click.echo("database is up to date")
