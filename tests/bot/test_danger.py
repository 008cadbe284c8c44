"""A disclosure of danger gets the helplines at once, from every step kind, on every channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.container import Services
from storage.models import SafetyFlag

# How to reach each step kind of the demo flow from the start (as typed text, channel-neutral).
ROUTE = ["1", "oui", "bien", "1", "4", "passer"]
STEP_AT = {"choice": 0, "consent": 1, "scale": 2, "multi": 3, "optional choice": 5, "text": 6}
CHANNELS = {"kiosk": "kiosk-person", "sms": "+33612000001", "voice": "+33612000002",
            "sms-gateway": "+33612000003", "telegram": "424242"}  # fmt: skip


@pytest.mark.parametrize("kind", list(STEP_AT))
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_danger_from_every_step_kind_on_every_channel(
    services: Services, send: Callable[..., Any], kind: str, channel: str
) -> None:
    address = CHANNELS[channel]
    send(address, channel=channel, start_flow="demo")
    for text in ROUTE[: STEP_AT[kind]]:
        send(address, channel=channel, text=text)
    reply = send(address, channel=channel, text="j'ai peur de rentrer chez moi, il me frappe")
    helplines = reply.replies[0].text
    assert all(number in helplines for number in ("3919", "17", "114", "119"))
    assert reply.replies[-1].expects != "none"  # the question is asked again: it can go on
    with services.db.sessions() as session:
        flag = session.scalars(select(SafetyFlag)).one()
    assert flag.channel == channel and flag.handled_at is None


@pytest.mark.parametrize("kind", list(STEP_AT))
@pytest.mark.parametrize("channel", ["sms", "telegram", "voice"])
def test_sos_gives_the_helplines_from_every_step_kind_and_the_run_stays_there(
    services: Services, send: Callable[..., Any], kind: str, channel: str
) -> None:
    address = CHANNELS[channel]
    send(address, channel=channel, start_flow="demo")
    for text in ROUTE[: STEP_AT[kind]]:
        send(address, channel=channel, text=text)
    before = send(address, channel=channel, choice="cmd:repeter").replies[-1]
    reply = send(address, channel=channel, choice="cmd:sos")
    helplines, question = reply.replies[0].text, reply.replies[-1]
    assert all(number in helplines for number in ("3919", "17", "114", "119"))
    assert (question.step, question.text) == (before.step, before.text)
    with services.db.sessions() as session:
        assert session.scalars(select(SafetyFlag)).first() is None  # nothing was disclosed


def test_sos_outside_a_run_gives_the_helplines_and_starts_nothing(
    services: Services, send: Callable[..., Any]
) -> None:
    reply = send(CHANNELS["sms"], channel="sms", text="SOS")
    assert [r.expects for r in reply.replies] == ["none"]
    assert "3919" in reply.replies[0].text
