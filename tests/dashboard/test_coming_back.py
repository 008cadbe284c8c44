"""Coming back after finishing: the finished answers stay, an invitation's yes is recorded."""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.channels import registry
from bot.channels.base import InboundMessage
from bot.container import Services, build_services
from bot.service import HandleResult
from bot.settings import Settings
from dashboard import outreach
from storage import panels, queries
from storage.db import Database
from storage.models import Answer, Run, utcnow
from tests.dashboard.conftest import LiveServer, add_account, login

SCRIPT = ["EGALITE", "2", "1", "1", "3", "1 2", "Des crèches le soir", "1", "1", "1"]
PROFILE = {"age": "age", "commune": "commune", "genre": "genre"}
COMING_BACK = "OUI je viendrai a l atelier"
_ids = itertools.count(1)


@pytest.fixture
def services(settings: Settings, sqlite_database: Database, flows_dir: Path) -> Iterator[Services]:
    """The whole service on the dashboard's test flow: SMS participants, then the dashboard."""
    chosen = dataclasses.replace(settings, flows_dir=flows_dir, default_flow="egalite")
    yield build_services(chosen, sqlite_database)


def sms(services: Services, number: str, text: str) -> HandleResult:
    """Send one SMS, read against the last question as the SMS webhook reads it."""
    inbound = InboundMessage(channel="sms", address=number, external_id=f"SM{next(_ids)}", text=text)
    return services.service.handle(inbound, read=registry.reader("sms", services.flows.ids()))


def finish(services: Services, number: str) -> None:
    """Answer the whole questionnaire by SMS."""
    for text in SCRIPT:
        replies = sms(services, number, text).replies
    assert replies[-1].text == "Merci !", [r.text for r in replies]


def test_a_finished_person_who_writes_again_keeps_their_answers(services: Services) -> None:
    finish(services, "+33600000001")
    again = sms(services, "+33600000001", "Bonsoir, c'est encore moi")
    assert "vous avez déjà répondu" in again.replies[0].text
    assert "envoyez 1" in again.replies[0].text  # in the words of SMS
    with services.db.transaction() as session:
        assert list(session.scalars(select(Run.status))) == ["completed"]  # nothing restarted
    restart = sms(services, "+33600000001", "1")
    assert restart.replies[-1].text == "Quel âge avez-vous ?"  # starting again is a choice
    sms(services, "+33600000001", "4")  # 60-74 this time, then no more
    with services.db.transaction() as session:
        _n, ages = queries.distribution(session, "egalite", "age")
    assert ages == {"30-44": 1}  # the unfinished second run does not replace the finished one


def test_five_people_and_one_yes_to_the_invitation(live: LiveServer, services: Services) -> None:
    numbers = [f"+336000000{i:02}" for i in range(5)]
    for number in numbers:
        finish(services, number)
    with services.db.transaction() as session:
        pool = panels.volunteers(session, "egalite", "volontaire", "oui", PROFILE)
        panel = panels.save_panel(session, [v.participant_id for v in pool], 5, 7, {}, "anne")
        queued = outreach.queue(session, [v.participant_id for v in pool], "Venez !", "Venez !",
                                {"kind": "panel_invitation", "panel": panel.id})  # fmt: skip
        for member in panels.members(session, panel.id):
            member.outbox_id = queued[member.participant_id]
        panel.invited_at = utcnow()
    add_account(services.db, "anne@example.org")
    with httpx.Client(timeout=30) as client:
        login(client, live.url, "anne@example.org")
        before = pages(client, live.url)
        reply = sms(services, numbers[2], COMING_BACK)
        after = pages(client, live.url)
    assert reply.replies[0].text.startswith("Merci ! Nous avons noté votre réponse : oui")
    assert "5 personnes ont répondu" in after["report"]
    assert re.search(r"<strong>5</strong> ont terminé", after["overview"])
    assert row(after["questions"], "Une femme") == "5"  # every count stays 5, none falls to "< 5"
    assert volunteers(after["panel"]) == volunteers(before["panel"])  # same people, same numbers
    assert "Ont dit oui : 1" in after["panel"] and "Sans réponse : 4" in after["panel"]
    with services.db.transaction() as session:
        assert len(list(session.scalars(select(Answer.id).where(Answer.result == "age")))) == 5


def pages(client: httpx.Client, base: str) -> dict[str, str]:
    """Read the pages a facilitator looks at."""
    return {name: html.unescape(client.get(base + "/facilitator" + path).text)
            for name, path in (("overview", "/"), ("report", "/report"),
                               ("questions", "/questions"), ("panel", "/panel"))}  # fmt: skip


def row(page: str, label: str) -> str:
    """Return the count shown for an answer in the first table that lists it."""
    found = re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td>([^<]*)</td>", page)
    assert found, label
    return found.group(1)


def volunteers(page: str) -> list[str]:
    """Return the pseudonyms of the panel's members, as the page lists them."""
    listed = re.search(r"Volontaires tirés : (.*?)\.</p>", page)
    assert listed is not None
    return listed.group(1).split(", ")
