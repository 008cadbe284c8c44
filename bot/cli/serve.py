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
    _prepare_nlu()
    host, port = host or settings.host, port or settings.port
    click.echo(f"Porte-voix kiosk: http://{host}:{port}/kiosk")
    # A worker answers uvicorn's health pings only once it has imported the CLI and the app
    # (seconds of CPU); past uvicorn's default 5 s it is killed and respawned forever.
    uvicorn.run("bot.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=False, **uvicorn_options(settings),
                timeout_worker_healthcheck=WORKER_START_SECONDS)  # fmt: skip


def _prepare_nlu() -> None:
    """Train the embedded NLU model when it is not cached, in a child process.

    A worker then only reads the model's arrays: scikit-learn and scipy (about 100 MB) are
    never imported in a serving process, not even on the first start.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from nlu.embedded import is_cached, train_cached
    from nlu.factory import default_cache_dir
    from nlu.training_data import TrainingDataError

    cache = default_cache_dir()
    if is_cached(cache):
        return
    click.echo("training the embedded NLU model (once; it is cached)")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            pool.submit(train_cached, cache).result()
        except TrainingDataError as exc:
            raise click.ClickException(str(exc)) from exc


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
