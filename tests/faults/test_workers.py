"""Two workers on PostgreSQL: each participant's messages in order, none lost, none doubled."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.channels.base import InboundMessage
from bot.channels.numbers import reader
from bot.container import Services, build_services
from bot.settings import load_settings
from storage.db import Database
from tests.conftest import make_database
from tests.faults.conftest import postgres_url
from tests.faults.journeys import expected_runs, number, script, stored
from tests.faults.platforms import TwilioSender
from tests.faults.server import SECRET, TEST_FLOWS, Server

NUMBERS, MESSAGES = 5, 40
# Words read the same whatever the last question was (no digits, no keyword): the server
# interprets them inside the participant's lock, so a replay in commit order must match.
BURST_WORDS = ["retour", "bien", "oui", "répète", "moyen", "non", "retour", "oui"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`porte-voix serve --workers 2` on PostgreSQL (one for the module: it starts slowly)."""
    running = Server(tmp_path_factory.mktemp("workers"), postgres_url(), workers=2)
    running.start()
    yield running
    running.stop()


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=400))


async def test_two_workers_keep_each_participants_messages_in_order(server: Server) -> None:
    assert server.workers_running() >= 2, "uvicorn did not start two workers"
    async with client() as http:
        sender = TwilioSender(server.url, http, sid_prefix="SMa")
        acked: dict[int, list[str]] = {n: [] for n in range(NUMBERS)}

        async def talk(n: int) -> None:  # one participant: each SMS after the previous answer
            for body in script(n, MESSAGES):
                delivery = await sender.sms(number(n), body)
                assert delivery.status == 200, (delivery.status, body)
                acked[n].append(delivery.sid)

        await asyncio.gather(*(talk(n) for n in range(NUMBERS)))
    db = Database(server.database_url)
    for n in range(NUMBERS):
        found = stored(db, number(n))
        assert [len(ids) for ids in found.inbound.values()] == [1] * MESSAGES  # none doubled
        assert set(found.inbound) == set(acked[n])  # none lost
        commit_order = [found.inbound[sid][0] for sid in acked[n]]
        assert commit_order == sorted(commit_order)  # committed in the order answered
        runs = [answers for status, answers in found.runs if status == "completed"]
        assert runs == expected_runs(n, MESSAGES)
        assert [status for status, _ in found.runs] == ["completed"] * len(runs)
    db.dispose()


def replayer(tmp_path: Path) -> Services:
    """Return an in-process service on SQLite, with the server's flows and secret."""
    settings = load_settings({"PORTE_VOIX_SECRET_KEY": SECRET, "PORTE_VOIX_MODE": "test",
                              "DATABASE_URL": f"sqlite:///{tmp_path / 'replay.db'}",
                              "PORTE_VOIX_DATA_DIR": str(tmp_path / "replay")})  # fmt: skip
    settings = dataclasses.replace(settings, flows_dir=TEST_FLOWS, default_flow="demo")
    return build_services(settings, make_database(settings.database_url))


def replay(services: Services, address: str, bodies: list[tuple[str, str]]) -> list[str]:
    """Send (sid, body) one by one through the in-process service; return its replies' texts."""
    texts: list[str] = []
    read = reader(services.flows.ids())  # an SMS is read against the last question, as the webhook does
    for sid, body in bodies:
        inbound = InboundMessage("sms", address, sid, text=body)
        texts.extend(reply.text for reply in services.service.handle(inbound, read).replies)
    return texts


async def test_concurrent_messages_of_one_participant_are_applied_one_at_a_time(
    server: Server, tmp_path: Path
) -> None:
    rng = random.Random(8)
    numbers = range(100, 100 + NUMBERS)  # not the numbers of the other test
    bursts = {n: [rng.choice(BURST_WORDS) for _ in range(MESSAGES)] for n in numbers}
    async with client() as http:
        sender = TwilioSender(server.url, http, sid_prefix="SMb")
        for n in numbers:  # the same start for everyone: at the mood question
            for body in ("DEMO", "1", "oui"):
                assert (await sender.sms(number(n), body)).status == 200
        prefix = {d.sid: d.body for d in sender.deliveries}
        flood = [sender.sms(number(n), body) for n in numbers for body in bursts[n]]
        results = await asyncio.gather(*flood)  # every message of every number at once
    assert {d.status for d in results} == {200}
    bodies = {d.sid: d.body for d in sender.deliveries}
    db, services = Database(server.database_url), replayer(tmp_path)
    for n in numbers:
        found = stored(db, number(n))
        sent = [d.sid for d in sender.deliveries if d.sender == number(n)]
        assert sorted(found.inbound) == sorted(sent)  # none lost
        assert all(len(ids) == 1 for ids in found.inbound.values())  # none doubled
        in_commit_order = sorted(found.inbound, key=lambda sid: found.inbound[sid][0])
        # Serial processing in commit order gives exactly the replies the server wrote: two
        # messages applied to the same state (an interleaving) would diverge from the replay.
        expected = replay(services, number(n), [(sid, bodies[sid]) for sid in in_commit_order])
        assert [row.payload["text"] for row in found.outbox] == expected
        assert [sid for sid in in_commit_order if sid in prefix] == in_commit_order[:3]
    db.dispose()
    services.db.dispose()
