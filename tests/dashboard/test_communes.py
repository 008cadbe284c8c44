"""Typed communes reach the dashboard as one filter per official commune, others as "Autre commune"."""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from bot.channels.base import InboundMessage
from bot.container import build_services
from bot.service import ConversationService
from flows.loader import DEFINITIONS
from tests.dashboard.conftest import LiveServer, add_account, login

CRETEIL = ["Créteil", "creteil", "CRETEIL", "Créteuil", " creteil "]
ELSEWHERE = ["Paris", "Lyon", "Tours", "Nantes", "Lille"]


@pytest.fixture
def flows_dir() -> Path:
    """The dashboard reads the shipped egalite flow, whose commune question is typed."""
    return DEFINITIONS


def answer_egalite(bot: ConversationService, address: str, commune: str) -> None:
    """Go through the egalite flow on the kiosk, typing a commune and confirming it."""
    ids = itertools.count()
    inputs = [
        {"start_flow": "egalite"}, {"choice": "standard"}, {"choice": "non"}, {"choice": "oui"},
        {"choice": "cmd:passer"}, {"choice": "cmd:passer"}, {"choice": "bien"}, {"choice": "bien"},
        {"choice": "cmd:passer"}, {"choice": "cmd:passer"}, {"choice": "cmd:passer"},
        {"text": commune}, {"choice": "oui"}, {"choice": "cmd:passer"}, {"choice": "cmd:passer"},
        {"choice": "non"}, {"choice": "non"},
    ]  # fmt: skip
    for fields in inputs:
        replies = bot.handle(InboundMessage("kiosk", address, f"{address}-{next(ids)}", **fields)).replies
    assert replies[-1].text.startswith("Merci beaucoup !"), replies[-1].text


def commune_filter(page: str) -> list[str]:
    """Return the options of the commune filter of a dashboard page."""
    found = re.search(r'<select id="f-commune" name="commune">(.*?)</select>', page, re.S)
    assert found, "no commune filter"
    return [html.unescape(label) for label in re.findall(r">([^<]+)</option>", found.group(1))]


def test_one_filter_per_commune_however_it_was_typed(live: LiveServer, services: SimpleNamespace) -> None:
    settings = dataclasses.replace(services.settings, default_flow="egalite")
    bot = build_services(settings, services.db).service
    for n, typed in enumerate(CRETEIL + ELSEWHERE):
        answer_egalite(bot, f"borne-{n}", typed)
    add_account(services.db, "anne@example.org")
    with httpx.Client() as client:
        login(client, live.url, "anne@example.org")
        page = client.get(live.url + "/facilitator/questions").text
        assert commune_filter(page) == ["Tous", "Autre commune", "Créteil"]
        creteil = client.get(live.url + "/facilitator/questions", params={"commune": "Créteil"}).text
        assert "Filtre actif : 5 personnes" in html.unescape(creteil)
