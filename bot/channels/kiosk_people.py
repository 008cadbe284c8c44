"""The next person at a shared kiosk: a new signed identity, never the last person's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.kiosk_session import newcomer

if TYPE_CHECKING:
    from bot.channels.kiosk import Kiosk


class Handover:
    """GET /kiosk/nouvelle asks to confirm; POST starts a new person (a tap, or the idle timer)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk

    async def confirm(self, request: Request) -> Response:
        """Ask before leaving: the answers are kept, and the next person starts afresh."""
        session = self.kiosk.session(request)
        return self.kiosk.keep(self.kiosk.render("kiosk_new.html", csrf=session.csrf), session)

    async def hand_over(self, request: Request) -> Response:
        """Forget this browser's identity and show the welcome to a new person."""
        session = self.kiosk.session(request)
        form = await self.kiosk.form(request, session)
        if isinstance(form, Response):
            return form
        # The cookie is written now, so the welcome's forms carry the new person's token.
        return self.kiosk.keep(RedirectResponse("/kiosk", status_code=303), newcomer(fresh=False))


def routes(kiosk: Kiosk) -> list[BaseRoute]:
    """Return the routes that hand the kiosk to the next person."""
    handover = Handover(kiosk)
    return [
        Route("/kiosk/nouvelle", handover.confirm, methods=["GET"]),
        Route("/kiosk/nouvelle", handover.hand_over, methods=["POST"]),
    ]
