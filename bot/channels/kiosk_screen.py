"""Which screen the kiosk shows a participant: welcome, question, pause or end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.base import OutboundMessage
from storage import repo
from storage.models import Answer, Participant, Run

Kind = Literal["welcome", "question", "paused", "ended"]


@dataclass(frozen=True)
class NewsWish:
    """The answer that asks for news: its result name and the key that means yes."""

    result: str
    yes: str


@dataclass(frozen=True)
class Screen:
    """What one kiosk page shows, and the participant's preferences it is shown in."""

    kind: Kind
    messages: list[OutboundMessage] = field(default_factory=list)
    question: OutboundMessage | None = None
    easy: bool = False
    audio: bool = False
    wants_news: bool = False  # the run ended with "yes, give me news"


WELCOME = Screen("welcome")


def read(session: Session, key: str, wish: NewsWish) -> Screen:
    """Return the screen of the participant with this key (the welcome when nothing was said)."""
    participant = repo.find_participant(session, key)
    if participant is None:
        return WELCOME
    messages = [OutboundMessage.from_payload(r.payload) for r in repo.last_replies(session, participant.id)]
    if not messages:
        return WELCOME
    question = next((m for m in reversed(messages) if m.expects != "none"), None)
    run = _latest_run(session, participant)
    kind: Kind = "question" if question is not None else "ended"
    if question is None and run is not None and run.status == "paused":
        kind = "paused"
    wants = kind == "ended" and run is not None and _wants_news(session, run, wish)
    return Screen(kind, messages, question, participant.easy, participant.audio, wants)


def _latest_run(session: Session, participant: Participant) -> Run | None:
    """Return the participant's latest run, open or not."""
    query = select(Run).where(Run.participant_id == participant.id).order_by(Run.id.desc()).limit(1)
    return session.scalars(query).one_or_none()


def _wants_news(session: Session, run: Run, wish: NewsWish) -> bool:
    """Say whether a finished run answered yes to the news question."""
    if run.status != "completed":
        return False
    value = session.scalar(select(Answer.value).where(Answer.run_id == run.id, Answer.result == wish.result))
    return value == wish.yes
