"""A channel defined only here plugs in through the registry and carries a whole egalite run.

The "hook" channel is a plain JSON webhook that answers by numbers in texts of at most 160
characters: the test registers it, builds the real app as production does, and talks to it
over HTTP. No project file names it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import create_app
from bot.channels import registry
from bot.channels.base import Capabilities, InboundMessage, OutboundMessage, SendResult
from bot.channels.plugin import ChannelPlugin, Hub
from bot.channels.sms_text import compose, split_long
from bot.container import Services, build_services
from bot.settings import Settings
from dashboard import labels
from storage.db import Database
from storage.models import Answer, Participant

DEFINITIONS = Path(__file__).resolve().parents[2] / "flows" / "definitions"
HOOK = Capabilities(answers_by="numbers", max_length=160, markup="none", audio="none",
                    audio_choice=False, stop_is_final=False, identity="hook",
                    sends_later=True)  # fmt: skip


@dataclass
class HookPlatform:
    """The platform behind the webhook: what each address received, text by text."""

    inboxes: dict[str, list[str]] = field(default_factory=dict)

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Deliver one message as the channel can show it: numbered, cut at its max length."""
        self.inboxes.setdefault(address, []).extend(split_long(compose(message), HOOK.max_length))
        return SendResult(ok=True)


def hook_routes(channel: HookPlatform, hub: Hub) -> list[BaseRoute]:
    """POST /webhooks/hook {"from", "id", "text"}: hand the text in; the replies are sent."""

    async def inbound(request: Request) -> Response:
        data = await request.json()
        await hub.receive(InboundMessage("hook", str(data["from"]), str(data["id"]), text=data["text"]))
        return JSONResponse({"ok": True})

    return [Route("/webhooks/hook", inbound, methods=["POST"])]


def build_hook(settings: Settings, env: Mapping[str, str], audio: Any) -> HookPlatform:
    """Build the channel's sender."""
    return HookPlatform()


PLUGIN = ChannelPlugin(name="hook", label="Webhook JSON", capabilities=HOOK, build=build_hook,
                       routes=hook_routes)  # fmt: skip


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the hook channel for one test (the registry is restored afterwards)."""
    monkeypatch.setattr(registry, "PLUGINS", dict(registry.PLUGINS))
    registry.register(PLUGIN)


@pytest.fixture
async def hook(
    settings: Settings, sqlite_database: Database, plugged: None
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The real app, built with the hook channel in the registry."""
    settings = dataclasses.replace(settings, flows_dir=DEFINITIONS, default_flow="egalite")
    services = build_services(settings, sqlite_database)
    app = create_app(settings, services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as http:
        yield http, services


async def test_a_channel_defined_only_in_a_test_runs_the_egalite_flow(
    hook: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = hook
    platform = services.channels["hook"]
    assert isinstance(platform, HookPlatform)
    person = "hook-user-1"
    # Numbers answer, as on SMS: no audio question (this channel plays none), then consent.
    script = ["EGALITE", "2", "1", "1 2", "1", "1", "2", "3", "Des crèches le soir", "1",
              "2", "Tours", "1", "1", "3", "2", "1"]  # fmt: skip
    for turn, text in enumerate(script):
        response = await http.post("/webhooks/hook", json={"from": person, "id": f"m{turn}", "text": text})
        assert response.status_code == 200, response.text
    received = platform.inboxes[person]
    assert all(len(text) <= HOOK.max_length for text in received)
    assert received[0].startswith("Bonjour !")
    assert any("1 - Facile à lire" in text for text in received)
    assert any(text.startswith("Merci beaucoup !") for text in received)
    with services.db.sessions() as session:
        answers = {a.result: a.value for a in session.scalars(select(Answer))}
        keys = list(session.scalars(select(Participant.key)))
    assert answers == {
        "consentement": "oui",
        "themes_quotidien": "travail,taches_domestiques", "themes_dehors": "espace_public",
        "essai_echelle": "bien", "ressenti": "moyen", "securite_soir": "peur",
        "priorite": "Des crèches le soir", "age": "30-44", "commune": "Autre commune", "genre": "femme",
        "vie_publique": "rarement", "volontaire": "non", "suivi": "non",
    }  # fmt: skip
    assert keys == [services.crypto.participant_key(HOOK.identity, person)]


def test_the_dashboard_names_the_plugged_channel_and_a_name_is_registered_once(plugged: None) -> None:
    assert labels.channel("hook") == "Webhook JSON"
    assert registry.capabilities("hook") is HOOK
    with pytest.raises(ValueError, match="already registered"):
        registry.register(PLUGIN)
