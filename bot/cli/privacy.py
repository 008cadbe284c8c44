"""Retention and erasure commands: `porte-voix purge` and `porte-voix erase`."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from bot.cli.context import pass_settings
from bot.settings import Settings
from storage.privacy import PrivacyConfig

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_DURATION = re.compile(r"^(\d+)([dhw])$")


def parse_duration(text: str) -> timedelta:
    """Parse '180d', '12h' or '4w'."""
    match = _DURATION.match(text.strip())
    if not match:
        raise click.BadParameter("use a number and d (days), w (weeks) or h (hours), e.g. 180d")
    number, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=number), "w": timedelta(weeks=number), "h": timedelta(hours=number)}[unit]


@click.command("purge")
@click.option("--older-than", "older_than", default=None,
              help="Remove personal data of people last seen before this (default: retention_days).")
@click.option("--by", "actor", default="cli", show_default=True, help="Who asks (for the audit log).")
@pass_settings
def purge_command(settings: Settings, older_than: str | None, actor: str) -> None:
    """Anonymise participants past retention; keep their anonymous answers; prune read-backs."""
    from bot.retention_files import delete_recordings_of, prune_clips
    from storage.db import Database
    from storage.forget import sweep_erased
    from storage.models import utcnow
    from storage.retention import purge, stale_recordings

    privacy = settings.typed(PrivacyConfig)
    age = parse_duration(older_than) if older_than else timedelta(days=privacy.retention_days)
    cutoff = utcnow() - age
    db = Database(settings.database_url)
    with db.sessions() as session:
        refs = stale_recordings(session, cutoff)
    removal = delete_recordings_of(settings, refs)
    clips, _ = prune_clips(settings, privacy.readback_audio_days)
    with db.transaction() as session:
        report = purge(session, cutoff, keep_refs=removal.failed)
        report.participants += sweep_erased(session)  # who erased their data: nothing is kept
        audit(session, actor, "purge", {"older_than_days": age.days, "audio_clips": clips,
                                        **report.__dict__})  # fmt: skip
    click.echo(f"purged: {report.participants} participants anonymised, {report.verbatims} "
               f"verbatims, {report.recordings} recordings, {report.messages} messages, "
               f"{report.inbound} inbound records, {report.flags} handled flags, "
               f"{clips} audio read-backs")  # fmt: skip
    if removal.failed:
        click.echo(f"{len(removal.failed)} recordings could not be deleted at Twilio: "
                   "kept for the next purge", err=True)  # fmt: skip
        raise SystemExit(1)


@click.command("erase")
@click.option("--channel", required=True, help="kiosk, telegram, sms, voice, ...")
@click.option("--address", prompt=True, hide_input=True,
              help="The participant's address on that channel (asked for when omitted).")
@click.option("--by", "actor", required=True, help="The admin who asks (for the audit log).")
@pass_settings
def erase_command(settings: Settings, channel: str, address: str, actor: str) -> None:
    """Erase one participant, all their answers, recordings and read-backs (on an admin's request)."""
    from bot.person_erasure import PersonErasureError, erase_person
    from storage.db import Database

    try:
        done = erase_person(settings, Database(settings.database_url), channel, address, actor)
    except PersonErasureError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"erased one participant, {done.answers} answers, {done.recordings} recordings "
               f"and {done.audio_clips} audio read-backs")  # fmt: skip


def audit(session: Session, actor: str, action: str, detail: dict[str, object]) -> None:
    """Record an administrative action in the audit log (no personal data in detail)."""
    from storage.audit import record

    record(session, actor, action, **detail)
    log.info("audit: %s by %s", action, actor)
