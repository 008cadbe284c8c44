"""Crash run: signed SMS webhooks while the server is SIGKILLed and restarted, then an audit.

    python -m tests.faults.crash --webhooks 2000 [--database-url postgresql+psycopg://...]

Participants talk in parallel, each SMS after the previous one was answered (a retry keeps
its MessageSid), while facilitators' messages (feedback, as dashboard/outreach.py queues
them) go out through the outbox dispatcher and the fake Messages API. Afterwards: every
acknowledged webhook has exactly one inbound record, each participant's runs hold exactly the
scripted answers, and every outbox row reached the phone exactly once: in an acknowledged
TwiML answer, or through the fake Messages API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import anyio
import httpx
from sqlalchemy import func, select

from bot.channels.base import OutboundMessage
from storage.db import Database
from storage.models import InboundEvent, OutboxMessage, Participant
from tests.faults.journeys import expected_runs, number, participant_key, script, stored
from tests.faults.platforms import FakeTwilioApi, TwilioSender, rows_in_replies
from tests.faults.server import Server, sqlite_url

PER_PARTICIPANT = 40
FEEDBACK_SHARE = 4  # one queued feedback message per this many webhooks
# A send the platform accepted this close to a kill may be repeated (bot/outbox.py): the
# record died with the process, and a restart slower than the lease beat the status report.
WINDOW = 1.0
LEASE = 20  # seconds (production: 300); a restart under load takes up to ~15 s here


@dataclass
class CrashReport:
    """What a crash run sent, what came back, and what the database and the fake hold."""

    database: str = ""
    webhooks: int = 0
    feedback: int = 0
    acked: int = 0
    retried: int = 0
    kills: int = 0
    stored_inbound: int = 0
    inbound_doubles: int = 0
    wrong_runs: int = 0
    outbox_rows: int = 0
    in_twiml: int = 0
    by_outbox: int = 0
    lost: int = 0
    doubles: int = 0
    doubles_in_crash_window: int = 0
    unsent: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """Return the figures on one line."""
        return " ".join(f"{k}={v}" for k, v in asdict(self).items() if k != "problems")


async def _kill_twice(server: Server, sender: TwilioSender, total: int, kills: int,
                      report: CrashReport) -> list[float]:  # fmt: skip
    """SIGKILL the server when a third and two thirds of the webhooks were answered; restart."""
    killed_at: list[float] = []
    for k in range(1, kills + 1):
        while sum(1 for d in sender.deliveries if d.status == 200) < total * k // (kills + 1):
            await asyncio.sleep(0.02)
        killed_at.append(time.monotonic())
        await anyio.to_thread.run_sync(server.kill)
        report.kills += 1
        await asyncio.sleep(0.3)
        await anyio.to_thread.run_sync(server.start)
    return killed_at


async def _queue_feedback(db: Database, participants: int, total: int, report: CrashReport) -> None:
    """Queue feedback messages for participants who wrote, a few at a time, during the run."""
    keys = [participant_key(number(n)) for n in range(participants)]
    while report.feedback < total:
        await asyncio.sleep(0.05)
        await anyio.to_thread.run_sync(_queue_some, db, keys, report, min(3, total - report.feedback))


def _queue_some(db: Database, keys: list[str], report: CrashReport, count: int) -> None:
    with db.transaction() as session:
        people = list(session.scalars(select(Participant).where(Participant.key.in_(keys))))
        for person in people[:count]:
            n = report.feedback
            message = OutboundMessage(text=f"Retour {n} : merci, vos réponses comptent.", role="info")
            session.add(OutboxMessage(participant_id=person.id, channel="sms",
                                      payload=message.to_payload(), status="pending"))  # fmt: skip
            report.feedback += 1


def _settled(db: Database) -> int:
    """Return how many outbox rows are still waiting or being sent."""
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status.in_(("pending", "sending")))) or 0)  # fmt: skip


async def crash_run(tmp: Path, database_url: str, webhooks: int, kills: int = 2,
                    workers: int = 1) -> CrashReport:  # fmt: skip
    """Run the whole scenario and audit it."""
    started = time.monotonic()
    report = CrashReport(database=database_url.split(":")[0], webhooks=webhooks)
    api = FakeTwilioApi()
    api.start()
    server = Server(tmp, database_url, workers=workers, config={
        "twilio": {"api_base": api.url}, "outbox": {"lease_seconds": LEASE}})  # fmt: skip
    server.start()
    participants = max(1, webhooks // PER_PARTICIPANT)
    scripts = {n: script(n, PER_PARTICIPANT) for n in range(participants)}
    spare = webhooks - participants * PER_PARTICIPANT
    scripts[0] = script(0, PER_PARTICIPANT + spare)
    try:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as http:
            sender = TwilioSender(server.url, http, give_up_after=120)

            async def talk(n: int) -> None:
                for body in scripts[n]:
                    if (await sender.sms(number(n), body)).status != 200:
                        return  # the rest of this script would not mean the same

            db = Database(database_url)
            killer = asyncio.create_task(_kill_twice(server, sender, webhooks, kills, report))
            feedback = asyncio.create_task(
                _queue_feedback(db, participants, webhooks // FEEDBACK_SHARE, report))
            await asyncio.gather(*(talk(n) for n in range(participants)))
            killed_at = await killer
            await feedback
        deadline = time.monotonic() + LEASE + 60
        while _settled(db) and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.0)  # the last status reports
        _audit(report, db, sender, api, scripts, killed_at)
        db.dispose()
    finally:
        server.stop()
        api.stop()
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _audit(report: CrashReport, db: Database, sender: TwilioSender, api: FakeTwilioApi,
           scripts: dict[int, list[str]], killed_at: list[float]) -> None:  # fmt: skip
    """Count what was stored and sent, and name every problem."""
    acked = [d for d in sender.deliveries if d.status == 200]
    report.acked, report.retried = len(acked), sender.retried
    if len(acked) < report.webhooks:
        report.problems.append(f"{report.webhooks - len(acked)} webhooks never got a 2xx")
    with db.sessions() as session:
        per_sid = Counter(session.scalars(select(InboundEvent.external_id)))
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    report.stored_inbound = sum(1 for d in acked if per_sid[d.sid] == 1)
    report.inbound_doubles = sum(1 for count in per_sid.values() if count > 1)
    for n, lines in scripts.items():
        runs = [answers for status, answers in stored(db, number(n)).runs if status == "completed"]
        if runs != expected_runs(n, len(lines)):
            report.wrong_runs += 1
            report.problems.append(f"participant {n}: runs {runs}")
    twiml = rows_in_replies(sender.deliveries)
    api_sends = list(api.sent)
    by_row = Counter(s.row for s in api_sends)
    first_send: dict[int | None, float] = {}
    for sent in api_sends:
        first_send.setdefault(sent.row, sent.at)
    report.outbox_rows = len(rows)
    for row in rows:
        count = twiml.get(row.id, 0) + by_row.get(row.id, 0)
        report.in_twiml += int(twiml.get(row.id, 0) > 0)
        report.by_outbox += int(by_row.get(row.id, 0) > 0)
        if row.status in ("pending", "sending"):
            report.unsent += 1
        if count == 0 and row.status != "cancelled":
            report.lost += 1
            report.problems.append(f"outbox {row.id} ({row.status}, via {row.via}) never reached the phone")
        elif count > 1:
            at = first_send.get(row.id)
            if at is not None and any(abs(kill - at) <= WINDOW for kill in killed_at):
                report.doubles_in_crash_window += 1
            else:
                report.doubles += 1
                sends = [(round(s.at - killed_at[0], 2), api.reports.get(s.sid),
                          round(api.reported_at.get(s.sid, killed_at[0]) - killed_at[0], 2))
                         for s in api_sends if s.row == row.id]
                report.problems.append(f"outbox {row.id} reached the phone {count} times: "
                                       f"{twiml.get(row.id, 0)} in TwiML, API sends at {sends} s "
                                       f"after the first kill (kills at "
                                       f"{[round(k - killed_at[0], 2) for k in killed_at]}), "
                                       f"attempts {row.attempts}, {row.status}")  # fmt: skip
    unknown = by_row.get(None, 0)
    if unknown:
        report.problems.append(f"{unknown} API sends name no outbox row")


def main() -> None:
    """Run a crash run from the command line and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or sqlite_url(Path(tmp))
        if url.startswith("postgresql"):
            from tests.conftest import reset_postgres

            reset_postgres(url)
        report = asyncio.run(crash_run(Path(tmp), url, args.webhooks, workers=args.workers))
    print(report.line())
    for problem in report.problems[:40]:
        print("problem:", problem)


if __name__ == "__main__":
    main()
