"""Editing a flow never corrupts runs: a run resumes on the version it started on."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from pathlib import Path

from sqlalchemy import select

from bot.channels.base import InboundMessage
from bot.container import build_services
from bot.settings import Settings
from storage.db import Database
from storage.models import Answer, Run
from tests.bot.conftest import TEST_FLOWS


def test_run_resumes_on_its_own_version_after_an_edit(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    shutil.copy(TEST_FLOWS / "demo.yml", flows_dir / "demo.yml")
    demo = dataclasses.replace(settings, flows_dir=flows_dir, default_flow="demo")
    ids = itertools.count()

    def send(services, **fields):  # type: ignore[no-untyped-def]
        return services.service.handle(
            InboundMessage("kiosk", "p", f"e{next(ids)}", **fields)
        )

    v1 = build_services(demo, database)
    send(v1, start_flow="demo")
    send(v1, choice="standard", step="lecture")
    # The author renames the mood step and bumps the version while the run waits at consent.
    edited = (flows_dir / "demo.yml").read_text(encoding="utf-8")
    edited = edited.replace("version: 1", "version: 2").replace("id: humeur", "id: ressenti")
    (flows_dir / "demo.yml").write_text(edited, encoding="utf-8")
    v2 = build_services(demo, database)
    assert v2.flows.current("demo").version == 2
    reply = send(v2, choice="oui", step="accord")
    assert reply.replies[-1].step == "humeur"  # still version 1's step
    send(v2, choice="bien", step="humeur")
    with database.sessions() as session:
        run = session.scalars(select(Run)).one()
        assert run.flow_version == 1
        assert {a.result for a in session.scalars(select(Answer))} == {"accord", "humeur"}
    # A new participant starts on version 2.
    other = v2.service.handle(InboundMessage("kiosk", "q", "q1", start_flow="demo"))
    assert other.replies
    with database.sessions() as session:
        versions = sorted(r.flow_version for r in session.scalars(select(Run)))
    assert versions == [1, 2]
