"""`porte-voix purge` and `porte-voix erase` as processes, checked by scanning every table.

They also reach what the channels added: recordings kept at Twilio (deleted through its API,
a fake here), read-backs in the audio cache, delivery rows; and they write an audit record.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text

from bot.audio.cache import AudioCache
from bot.audio.service import AudioService
from bot.channels.base import InboundMessage
from bot.container import Services, build_services
from bot.settings import load_settings
from storage.dashboard_models import AuditEntry
from storage.db import Database
from storage.models import OutboxMessage, Participant, utcnow
from tests.faults.journeys import participant_key
from tests.faults.platforms import FakeTwilioApi
from tests.faults.server import ACCOUNT_SID, ROOT, Server

SMS, CALLER, KIOSK = "+33611223344", "+33655667788", "kiosk-visitor-1"
SPOKEN = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE" + "a" * 32
SAID_BY_SMS, SAID_AT_KIOSK = "Plus de lumière rue Victor Hugo", "Des crèches ouvertes le soir"


@dataclass
class Setup:
    """A populated database, the CLI's environment, the fake Twilio API, the services."""

    server: Server
    services: Services
    api: FakeTwilioApi

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `porte-voix ARGS` as a process on the same config and secrets."""
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=self.server.environment(),
                              capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip

    def dump(self) -> str:
        """Return every row of every table (tables of later migrations too) as text."""
        metadata = MetaData()
        metadata.reflect(self.services.db.engine)
        rows: list[str] = []
        with self.services.db.engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows.extend(f"{table.name}: {tuple(row)!r}" for row in conn.execute(select(table)))
        return "\n".join(rows)

    def addresses(self) -> set[str]:
        """Return every address still stored (decrypted)."""
        with self.services.db.sessions() as session:
            encrypted = session.scalars(select(Participant.address_enc)).all()
        return {self.services.crypto.decrypt(a) for a in encrypted if a}

    def audits(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Return the audit log: (actor, action, detail)."""
        with self.services.db.sessions() as session:
            return [(e.actor, e.action, dict(e.detail)) for e in session.scalars(select(AuditEntry))]

    def clips(self) -> set[str]:
        """Return the digests in the audio cache."""
        return {digest for digest, _ in self.services.audio.cache.entries()}


def talk(services: Services, channel: str, address: str, steps: list[dict[str, object]]) -> None:
    for n, fields in enumerate(steps):
        inbound = InboundMessage(channel, address, f"{channel}-{address}-{n}", **fields)  # type: ignore[arg-type]
        services.service.handle(inbound)


def journey(said: dict[str, object]) -> list[dict[str, object]]:
    return [{"start_flow": "demo"}, {"choice": "standard"}, {"choice": "oui"}, {"choice": "bien"},
            {"keys": ("travail",)}, {"choice": "15-29"}, said, {"choice": "oui"}]  # fmt: skip


@pytest.fixture(scope="module")
def clip_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Audio clips rendered once for the module."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture
def setup(tmp_path: Path, server_db: str, clip_store: Path) -> Iterator[Setup]:
    api = FakeTwilioApi(callbacks=False)
    api.start()
    api.recordings.add("RE" + "a" * 32)
    server = Server(tmp_path, server_db, config={"twilio": {"api_base": api.url}})
    env = {k: v for k, v in server.environment().items() if k.startswith(("PORTE_VOIX", "TWILIO"))}
    settings = load_settings(env)
    db = Database(settings.database_url)
    db.upgrade()
    services = build_services(settings, db)
    talk(services, "sms", SMS, journey({"text": SAID_BY_SMS}))
    talk(services, "sms", SMS, [{"text": "je suis en danger"}])
    talk(services, "voice", CALLER, journey({"audio_ref": SPOKEN}))
    talk(services, "kiosk", KIOSK, journey({"text": SAID_AT_KIOSK}))
    with db.sessions() as session:  # what the kiosk or a call read back to the SMS participant
        readback = next(r.payload["spoken"] or r.payload["text"] for r in session.scalars(
            select(OutboxMessage)) if SAID_BY_SMS in r.payload["text"])  # fmt: skip
    audio = AudioService.from_settings(settings)
    services.audio = audio
    if not any(clip_store.iterdir()):  # espeak-ng renders each text once for the module
        renderer = AudioService(audio.engine, AudioCache(clip_store), audio.fallback)
        renderer.render(readback)
        renderer.render("Qu'est-ce qui doit changer en premier ?")  # a flow's message: not personal
    shutil.copytree(clip_store, audio.cache.root, dirs_exist_ok=True)
    yield Setup(server, services, api)
    db.dispose()
    api.stop()


def age(setup: Setup, address: str, channel: str, days: int) -> None:
    """Make a participant, their messages and inbound records `days` old."""
    when = utcnow() - timedelta(days=days)
    with setup.services.db.transaction() as session:
        key = participant_key(address, channel)
        pid = session.scalar(select(Participant.id).where(Participant.key == key))
        for statement in ("UPDATE participants SET last_seen_at = :t WHERE id = :p",
                          "UPDATE outbox SET created_at = :t WHERE participant_id = :p",
                          "UPDATE inbound_events SET received_at = :t "
                          "WHERE participant_id = :p"):  # fmt: skip
            session.execute(text(statement), {"t": when, "p": pid})
    for path in setup.services.audio.cache.root.glob("??/*"):
        os.utime(path, (when.timestamp(), when.timestamp()))


def test_erase_removes_a_participant_from_every_table_and_their_read_backs(setup: Setup) -> None:
    clips_before = setup.clips()
    before = setup.dump()
    assert SAID_BY_SMS in before and participant_key(SMS) in before
    result = setup.cli("erase", "--channel", "sms", "--address", SMS, "--by", "dpo@departement.fr")
    assert result.returncode == 0, result.stderr
    assert "erased one participant, 5 answers, 0 recordings and 1 audio read-backs" in result.stdout
    after = setup.dump()
    assert SAID_BY_SMS not in after and participant_key(SMS) not in after
    assert "je suis en danger" not in after  # the safety flag went too
    assert SMS not in setup.addresses() and CALLER in setup.addresses()
    assert SAID_AT_KIOSK in after and SPOKEN in after  # the others are untouched
    assert len(setup.clips()) == len(clips_before) - 1  # the read-back; the flow's clip stays
    [(actor, action, detail)] = setup.audits()
    assert (actor, action, detail["answers"], detail["audio_clips"]) == ("dpo@departement.fr", "erase", 5, 1)
    assert SMS not in result.stderr + result.stdout and SAID_BY_SMS not in result.stderr
    # A caller's recording is deleted at Twilio before their rows.
    result = setup.cli("erase", "--channel", "voice", "--address", CALLER, "--by", "dpo@departement.fr")
    assert result.returncode == 0, result.stderr
    assert setup.api.deleted == ["RE" + "a" * 32] and SPOKEN not in setup.dump()


def test_erase_keeps_everything_when_twilio_cannot_delete_the_recording(setup: Setup) -> None:
    setup.api.down = True
    result = setup.cli("erase", "--channel", "voice", "--address", CALLER, "--by", "dpo")
    assert result.returncode == 1 and "nothing was erased" in result.stderr
    assert SPOKEN in setup.dump() and CALLER in setup.addresses()


def test_purge_anonymises_people_past_retention_everywhere(setup: Setup) -> None:
    for address, channel in ((SMS, "sms"), (CALLER, "voice")):
        age(setup, address, channel, days=200)
    setup.api.down = True  # Twilio is down: the recording's reference is kept for next time
    result = setup.cli("purge", "--older-than", "180d", "--by", "cron")
    assert result.returncode == 1 and "kept for the next purge" in result.stderr
    assert SPOKEN in setup.dump() and SAID_BY_SMS not in setup.dump()
    setup.api.down = False
    result = setup.cli("purge", "--older-than", "180d", "--by", "cron")
    assert result.returncode == 0, result.stderr
    after = setup.dump()
    for gone in (SAID_BY_SMS, SPOKEN, "je suis en danger", participant_key(SMS),
                 participant_key(CALLER, "voice")):  # fmt: skip
        assert gone not in after
    assert setup.addresses() == {KIOSK}  # the kiosk visitor was seen recently
    assert SAID_AT_KIOSK in after
    assert setup.api.deleted == ["RE" + "a" * 32]
    assert len(setup.clips()) == 1  # only the flow's own clip is left
    with setup.services.db.sessions() as session:  # anonymous answers stay for the statistics
        kept = session.execute(text("SELECT result, value FROM answers WHERE channel = 'sms'")).all()
    assert ("humeur", "bien") in [tuple(row) for row in kept]
    assert [(a, d["participants"], d["recordings"]) for _, a, d in setup.audits()] == [
        ("purge", 2, 0), ("purge", 0, 1)]  # Twilio down, then the recording on the next night
    assert SMS not in result.stderr


def test_effacer_in_the_conversation_deletes_the_callers_recording_at_twilio(setup: Setup) -> None:
    # The caller texts EFFACER from the same number (one participant across SMS and calls).
    setup.api.down = True
    talk(setup.services, "sms", CALLER, [{"text": "EFFACER"}, {"text": "oui"}])
    with setup.services.db.sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM answers WHERE audio_ref IS NOT NULL")) == 0
    dispatch = setup.services.dispatcher.dispatch
    asyncio.run(dispatch())  # Twilio is down: the deletion stays queued, with a retry time
    assert setup.api.deleted == []
    with setup.services.db.transaction() as session:
        [(status, error)] = session.execute(text(
            "SELECT status, error FROM outbox WHERE channel = 'twilio-recording'")).all()  # fmt: skip
        assert (status, error) == ("pending", "twilio did not delete the recording")
        session.execute(text("UPDATE outbox SET next_attempt_at = NULL WHERE channel = 'twilio-recording'"))
    setup.api.down = False
    asyncio.run(dispatch())
    assert setup.api.deleted == ["RE" + "a" * 32]
    with setup.services.db.sessions() as session:
        assert session.scalar(text("SELECT status FROM outbox WHERE channel = 'twilio-recording'")) == "sent"
    assert CALLER in setup.addresses()  # EFFACER erases answers; the participant may go on


def test_an_erasure_by_an_admin_also_deletes_a_recording_still_queued(setup: Setup) -> None:
    setup.api.down = True
    talk(setup.services, "sms", CALLER, [{"text": "EFFACER"}, {"text": "oui"}])
    setup.api.down = False
    result = setup.cli("erase", "--channel", "voice", "--address", CALLER, "--by", "dpo")
    assert result.returncode == 0, result.stderr
    assert setup.api.deleted == ["RE" + "a" * 32] and SPOKEN not in setup.dump()
