"""After round one: a facilitator opens round two, people react, the report back goes out.

The drivers of round one (tests/walk/people.py) are reused for their channels; round two's
loop is short, so it is written here: read the card, press a vote the channel's way, and
propose an idea now and then. What each person read is kept, by channel, for the checks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from storage.models import OutboxMessage, Participant
from tests.walk.people import Kiosk, Seen, SmsDriver, TelegramDriver, visible
from tests.walk.walked import Walked, csrf_of

VOTES = {"agree": ("1", "D'accord"), "disagree": ("2", "Pas d'accord"), "pass": ("3", "Je passe")}
IDEAS = ["Des cours de self-défense gratuits", "Une crèche ouverte le samedi",
         "Des bancs et de la lumière au parc"]  # fmt: skip


@dataclass
class Reacted:
    """What one person did in round two."""

    name: str
    channel: str
    votes: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    proposed: str = ""


def page_form(http: httpx.Client, path: str) -> str:
    """Return the CSRF token of a dashboard page."""
    return csrf_of(http.get(path).text)


def post(http: httpx.Client, path: str, page: str, **data: str) -> httpx.Response:
    """POST a dashboard form with the page's CSRF token."""
    return http.post(path, data={"csrf_token": page_form(http, page), **data})


def react_by_sms(walked: Walked, seen: Seen, rng: random.Random, http: httpx.Client, phone: str,
                 propose: str = "") -> Reacted:  # fmt: skip
    """A round-one SMS participant answers the invitation: DELIBERATION, then numbers."""
    driver = SmsDriver(walked.world, seen, rng, http, phone)
    done = Reacted(seen.plan.name, "sms")
    reply = driver.send_text("DELIBERATION")
    done.texts.append(reply)
    for _ in range(20):
        if "Idée" in reply and "1 - D'accord" in reply:
            vote = rng.choice(list(VOTES))
            done.votes.append(vote)
            reply = driver.send_text(VOTES[vote][0])
        elif "autre idée" in reply or "proposer une idée" in reply:
            reply = driver.send_text(propose or "passer")
            done.proposed = propose
            if propose and "1 - Oui" in reply:
                done.texts.append(reply)
                reply = driver.send_text("1")
        else:
            break
        done.texts.append(reply)
    return done


def react_on_telegram(
    walked: Walked, seen: Seen, rng: random.Random, http: httpx.Client, chat: int
) -> Reacted:
    """A round-one Telegram participant: /start deliberation, then the buttons."""
    driver = TelegramDriver(walked.world, seen, rng, http, chat)
    done = Reacted(seen.plan.name, "telegram")
    reply = driver.send_text("/start deliberation")
    done.texts.append(reply)
    for _ in range(20):
        if "Idée" in reply and " sur " in reply:
            vote = rng.choice(list(VOTES))
            done.votes.append(vote)
            reply = driver.press(VOTES[vote][1])
        elif "autre idée" in reply or "proposer une idée" in reply:
            reply = driver.press("Passer")
        else:
            break
        done.texts.append(reply)
    return done


def react_at_kiosk(kiosk: Kiosk, rng: random.Random, name: str, mode: str, consent: bool = True) -> Reacted:
    """A newcomer at a kiosk chooses round two: consent first, then the vote buttons."""
    done = Reacted(name, "kiosk")
    page = kiosk.post("/kiosk/start", flow="deliberation", mode=mode)
    done.texts.append(visible(page))
    for _ in range(20):
        page = kiosk.page
        if 'name="choice" value="oui"' in page and "avis" in visible(page) and not done.votes:
            page = kiosk.post("/kiosk/answer", choice="oui" if consent else "non")
        elif re.search(r'value="agree:\d+"', page):
            vote = rng.choice(list(VOTES))
            done.votes.append(vote)
            key = re.search(rf'value="({vote}:\d+)"', page)
            assert key, page[:500]
            page = kiosk.post("/kiosk/answer", choice=key.group(1))
        elif 'name="step" value="proposition"' in page:
            page = kiosk.post("/kiosk/answer", choice="cmd:passer")
        else:
            break
        done.texts.append(visible(page))
    return done


def outbox_of(walked: Walked, kind: str) -> list[tuple[int, str, str, dict[str, object]]]:
    """Return (participant id, channel, status, payload) of the outbox rows of one kind."""
    with walked.world.services.db.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(r.participant_id, r.channel, r.status, dict(r.payload)) for r in rows
                if (r.payload or {}).get("extra", {}).get("kind") == kind]  # fmt: skip


def participant_id(walked: Walked, channel: str, address: str) -> int | None:
    """Return a person's id (for matching outbox rows to who they are, never shown)."""
    key = walked.world.services.participant_key(channel, address)
    with walked.world.services.db.sessions() as session:
        return session.scalar(select(Participant.id).where(Participant.key == key))
