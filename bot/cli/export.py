"""`porte-voix export answers`: write an export file (CSV, XLSX, JSON, Flow Results)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import one_of, pass_settings
from bot.settings import Settings


@click.group("export")
def export() -> None:
    """Export what participants said (no address, no key; every export is audited)."""


@export.command("answers")
@click.option("--format", "fmt", default="csv", show_default=True,
              callback=one_of("dashboard.export_service", "FORMATS"),
              help="The file's format (a wrong one lists them).")  # fmt: skip
@click.option(
    "--flow",
    "flow_ids",
    multiple=True,
    help="Flow id (repeat for XLSX/JSON; default: the campaign flow).",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--actor", default="cli", show_default=True, help="Name written to the audit log.")
@pass_settings
def answers(settings: Settings, fmt: str, flow_ids: tuple[str, ...], output: Path, actor: str) -> None:
    """Export the answers of one or more flows to a file."""
    from dashboard.config import load_flows
    from dashboard.export_service import ExportError, start_export
    from storage.db import Database

    db = Database(settings.database_url)
    flows = load_flows(settings.flows_dir)
    chosen = list(flow_ids) or [settings.default_flow]
    partial = output.with_name(output.name + ".part")
    try:
        stream = start_export(db, flows, fmt, chosen, actor)
        with partial.open("wb") as handle:
            for chunk in stream:
                handle.write(chunk)
        partial.replace(output)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
        db.dispose()
    click.echo(f"Wrote {output} ({output.stat().st_size} bytes)")
