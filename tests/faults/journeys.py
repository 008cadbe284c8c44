"""Scripted SMS conversations on the demo flow, and what they must leave in the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from bot.channels.registry import capabilities
from storage.db import Database
from storage.models import Answer, InboundEvent, OutboxMessage, Participant, Run
from storage.privacy import Crypto
from tests.faults.server import SECRET

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
         "uniform", "victor", "whiskey", "xray", "yankee", "zulu"]  # fmt: skip
JOURNEY_LENGTH = 8


def number(n: int) -> str:
    """Return participant n's phone number (E.164, as Twilio sends it)."""
    return f"+3361{n:07d}"


def verbatim(n: int, turn: int) -> str:
    """Return what participant n says at the open question on a turn (no digits: plain text)."""
    return f"Priorité {WORDS[n % 26]} {WORDS[n // 26 % 26]} tour {WORDS[turn % 26]} {WORDS[turn // 26 % 26]}"


def journey(n: int, turn: int) -> list[str]:
    """Return the SMS of one full run of the demo flow (8 messages, ends the run)."""
    return ["DEMO", "1", "oui", "bien", "1 3", "2", verbatim(n, turn), "oui"]


def script(n: int, messages: int) -> list[str]:
    """Return participant n's messages: whole journeys, then the start of one more."""
    out: list[str] = []
    turn = 0
    while len(out) < messages:
        out.extend(journey(n, turn))
        turn += 1
    return out[:messages]


def expected_runs(n: int, messages: int) -> list[dict[str, str]]:
    """Return the answers each completed run of participant n must hold, in order."""
    turns = messages // JOURNEY_LENGTH
    return [{"accord": "oui", "humeur": "bien", "sujets": "travail,rue", "age": "30-59",
             "priorite": verbatim(n, turn)} for turn in range(turns)]  # fmt: skip


def participant_key(address: str, channel: str = "sms") -> str:
    """Return the key the server files a number under."""
    return Crypto(SECRET).participant_key(capabilities(channel).identity, address)


@dataclass
class Stored:
    """What the database holds for one participant."""

    runs: list[tuple[str, dict[str, str]]]
    inbound: dict[str, list[int]]
    outbox: list[OutboxMessage]


def stored(db: Database, address: str) -> Stored:
    """Read one participant's runs (status, answers), inbound ids by external id, outbox rows."""
    with db.sessions() as session:
        participant = session.scalars(
            select(Participant).where(Participant.key == participant_key(address))
        ).one()
        runs = list(session.scalars(select(Run).where(Run.participant_id == participant.id)
                                    .order_by(Run.id)))  # fmt: skip
        answers: dict[int, dict[str, str]] = defaultdict(dict)
        for answer in session.scalars(select(Answer).where(Answer.participant_id == participant.id)):
            answers[answer.run_id][answer.result] = answer.value
        inbound: dict[str, list[int]] = defaultdict(list)
        for event in session.scalars(select(InboundEvent).where(
                InboundEvent.participant_id == participant.id).order_by(InboundEvent.id)):  # fmt: skip
            inbound[event.external_id].append(event.id)
        rows = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.participant_id == participant.id).order_by(OutboxMessage.id)))  # fmt: skip
        return Stored([(run.status, dict(answers[run.id])) for run in runs], dict(inbound), rows)
