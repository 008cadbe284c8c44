"""Crash safety: SMS webhooks while the server is SIGKILLed twice; nothing lost, nothing doubled.

The suite sends FAULTS_CRASH_WEBHOOKS (default 400) to FAULTS_CRASH_WORKERS workers (default
1); `python -m tests.faults.crash --webhooks 2000` runs the full-size scenario and prints its
figures (`--workers 2 --database-url postgresql+psycopg://...` for PostgreSQL).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.faults.crash import crash_run

WEBHOOKS = int(os.environ.get("FAULTS_CRASH_WEBHOOKS", "400"))


async def test_sigkill_twice_loses_and_doubles_nothing(tmp_path: Path, server_db: str) -> None:
    workers = int(os.environ.get("FAULTS_CRASH_WORKERS", "1"))
    report = await crash_run(tmp_path, server_db, WEBHOOKS, kills=2, workers=workers)
    print(report.line())
    assert report.kills == 2
    assert report.problems == []
    assert report.acked == report.stored_inbound == WEBHOOKS
    assert report.inbound_doubles == report.wrong_runs == report.lost == report.doubles == 0
    assert report.unsent == 0
    assert report.feedback > 0 and report.by_outbox == report.feedback  # all through the API
    assert report.retried > 0  # the kills did hit requests in flight
