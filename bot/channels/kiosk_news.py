"""News after a kiosk session: a phone number for an SMS later, or a printed card.

The kiosk cannot reach anyone later, so a person who asks for news either leaves a phone
number (with their consent, encrypted as the participant's address, erased with them) or
takes a card that says when and where the results are shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.phone import PhoneNumberError, to_e164
from storage import repo
from storage.db import Database
from storage.privacy import Crypto

if TYPE_CHECKING:
    from bot.channels.kiosk import Kiosk

CONSENT = "oui"
NOT_ASKED = "Répondez d'abord aux questions. À la fin, répondez oui pour avoir des nouvelles."
INCOMPLETE = "Ce numéro n'est pas complet. Écrivez 10 chiffres, par exemple 06 12 34 56 78."


@dataclass(frozen=True)
class ResultsConfig:
    """config.yml `results:`: when and where the results are shown (empty: not decided yet)."""

    SECTION: ClassVar[str] = "results"
    date: str
    place: str


def hidden(e164: str) -> str:
    """Return a number with all but its last two digits hidden (what the screen reads back)."""
    return "•" * max(len(e164) - 3, 0) + e164[-2:]


def keep_phone(db: Database, crypto: Crypto, key: str, e164: str) -> None:
    """Store the number, encrypted, as the address news is sent to."""
    with db.transaction() as session:
        participant = repo.find_participant(session, key)
        if participant is not None:
            participant.address_enc = crypto.encrypt(e164)


def forget_phone(db: Database, crypto: Crypto, key: str, address: str) -> None:
    """Put the kiosk's own address back in place of a number left for news."""
    with db.transaction() as session:
        participant = repo.find_participant(session, key)
        if participant is not None:
            participant.address_enc = crypto.encrypt(address)


def erasing(db: Database, key: str) -> bool:
    """Say whether the participant's next "oui" confirms the erasure of their answers."""
    with db.sessions() as session:
        participant = repo.find_participant(session, key)
        return participant is not None and participant.pending_action == "erase"


class News:
    """GET/POST /kiosk/nouvelles (the number) and GET /kiosk/carte (the printed card)."""

    def __init__(self, kiosk: Kiosk, results: ResultsConfig, region: str) -> None:
        self.kiosk = kiosk
        self.results = results
        self.region = region

    async def card(self, request: Request) -> Response:
        """Show the card to print: the date and place of the results, or that they will be told."""
        session = self.kiosk.session(request)
        page = self.kiosk.render("kiosk_card.html", results=self.results, **self.idle(session.csrf))
        return self.kiosk.keep(page, session)

    async def ask(self, request: Request) -> Response:
        """Show the form for a phone number, with what it is for and how it is erased."""
        session = self.kiosk.session(request)
        page = self.kiosk.render("kiosk_phone.html", saved=None, **self.idle(session.csrf))
        return self.kiosk.keep(page, session)

    def idle(self, csrf: str) -> dict[str, Any]:
        """Return what a page needs to hand the kiosk to a new person after a while."""
        return {"csrf": csrf, "idle_seconds": self.kiosk.config.section.idle_seconds}

    async def save(self, request: Request) -> Response:
        """Keep a phone number the person consented to give, or say plainly what is missing."""
        kiosk = self.kiosk
        session = kiosk.session(request)
        form = await kiosk.form(request, session)
        if isinstance(form, Response):
            return form
        if form.get("consent") != CONSENT:
            return self.again(session.csrf, "Cochez la case pour dire oui. Sinon, prenez la carte.")
        try:
            e164 = to_e164(str(form.get("phone") or ""), self.region)
        except PhoneNumberError:
            return self.again(session.csrf, INCOMPLETE)
        screen = await anyio.to_thread.run_sync(kiosk.screen, session)
        if not screen.wants_news:  # only someone who finished and asked for news
            return self.again(session.csrf, NOT_ASKED)
        await anyio.to_thread.run_sync(keep_phone, kiosk.hub.db, kiosk.crypto, kiosk.key(session), e164)
        page = kiosk.render("kiosk_phone.html", nonce=uuid.uuid4().hex, saved=hidden(e164),
                            **self.idle(session.csrf))  # fmt: skip
        return kiosk.keep(page, session)

    def again(self, csrf: str, error: str) -> Response:
        """Show the form again with what to fix."""
        return self.kiosk.render("kiosk_phone.html", 400, phone_error=error, saved=None, **self.idle(csrf))


def routes(kiosk: Kiosk, results: ResultsConfig, region: str) -> list[BaseRoute]:
    """Return the news routes."""
    news = News(kiosk, results, region)
    return [
        Route("/kiosk/carte", news.card, methods=["GET"]),
        Route("/kiosk/nouvelles", news.ask, methods=["GET"]),
        Route("/kiosk/nouvelles", news.save, methods=["POST"]),
    ]
