"""The `porte-voix` command."""

from __future__ import annotations

import logging

import click

from bot.settings import SettingsError, load_settings

WORKER_START_SECONDS = 60


def _settings():  # type: ignore[no-untyped-def]
    """Load settings or exit with the reason."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """Porte-voix: a participation chatbot for people consultations never reach."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default=None, help="Interface to bind (config.yml: host).")
@click.option("--port", default=None, type=int, help="Port (config.yml: port).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the web service: kiosk, webhooks and dashboard."""
    import uvicorn

    from bot.proxies import uvicorn_options
    from bot.security_headers import check_public_url

    settings = _settings()
    try:
        check_public_url(settings)  # before any worker starts: one clear message
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    from storage.db import Database

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


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from storage.db import Database

    settings = _settings()
    database = Database(settings.database_url)
    database.upgrade()
    click.echo("database is up to date")


@main.command()
@click.argument("flow_id")
@click.option("--easy", is_flag=True, help="Read in easy-read French.")
def chat(flow_id: str, easy: bool) -> None:
    """Talk through a flow in the terminal (for flow authors; nothing is saved)."""
    from bot.container import build_interpreter
    from flows import engine
    from flows.events import Input, Prefs
    from flows.loader import load_directory
    from nlu.interpretation import Expectation

    settings = _settings()
    flows = load_directory(settings.flows_dir)
    if flow_id not in flows:
        raise click.ClickException(f"no flow '{flow_id}' (have: {', '.join(flows)})")
    flow = flows[flow_id]
    interpreter = build_interpreter(settings)
    sprint = engine.start(flow, Prefs(easy=easy))
    while True:
        expects = Expectation()
        for message in sprint.messages():
            click.echo(click.style(message.text, bold=message.role == "prompt"))
            for number, choice in enumerate(message.choices, 1):
                click.echo(f"  {number}. {choice.icon} {choice.label}")
            if message.expects != "none":
                expects = Expectation(message.expects,
                                      tuple((c.key, c.label) for c in message.choices))  # fmt: skip
        if sprint.state.status not in ("active", "paused"):
            click.echo(f"[run {sprint.state.status}]")
            return
        try:
            text = click.prompt(">", prompt_suffix=" ")
        except (click.Abort, EOFError):
            click.echo()
            return
        meaning = interpreter.interpret(text, expects)
        if meaning.choice:
            inp = Input.choose(meaning.choice)
        elif meaning.command:
            inp = Input.command(meaning.command)
        else:
            inp = Input.say(text)
        sprint = engine.resume(flow, sprint.state, inp)


from bot.cli_audio import audio  # noqa: E402
from bot.cli_dashboard import facilitator  # noqa: E402
from bot.cli_export import export  # noqa: E402
from bot.cli_flows import flows  # noqa: E402
from bot.cli_nlu import nlu  # noqa: E402
from bot.cli_phone import phone_command  # noqa: E402
from bot.cli_privacy import erase_command, purge_command  # noqa: E402
from bot.cli_telegram import telegram  # noqa: E402

main.add_command(audio)
main.add_command(export)
main.add_command(facilitator)
main.add_command(flows)
main.add_command(nlu)
main.add_command(purge_command)
main.add_command(erase_command)
main.add_command(phone_command)
main.add_command(telegram)

if __name__ == "__main__":
    main()
