"""`porte-voix facilitator ...`: manage the dashboard's accounts."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from bot.cli.context import one_of, pass_settings
from bot.settings import Settings

if TYPE_CHECKING:
    from storage.db import Database


def open_database(settings: Settings) -> Database:
    """Open (and migrate) the configured database."""
    from storage.db import Database

    db = Database(settings.database_url)
    db.upgrade()
    return db


@click.group("facilitator")
def facilitator() -> None:
    """Manage the accounts of the facilitators' dashboard."""


@facilitator.command("add")
@click.argument("email")
@click.option("--role", default="facilitator", show_default=True,
              callback=one_of("storage.accounts", "ROLES"),
              help="The account's role (a wrong one lists them).")  # fmt: skip
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_settings
def add(settings: Settings, email: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is prompted (or read from stdin)."""
    from storage import accounts, audit

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(settings)
    try:
        with db.transaction() as session:
            account = accounts.add_facilitator(session, email, password, role)
            audit.record(session, "cli", "account_created", account=account.id, role=role)
            created = account.email
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.dispose()
    click.echo(f"Account created: {created} ({role})")


@facilitator.command("list")
@pass_settings
def list_accounts(settings: Settings) -> None:
    """List the accounts."""
    from storage import accounts

    db = open_database(settings)
    try:
        with db.transaction() as session:
            for account in accounts.list_facilitators(session):
                state = "disabled" if account.disabled_at else "active"
                click.echo(f"{account.email}\t{account.role}\t{state}")
    finally:
        db.dispose()
