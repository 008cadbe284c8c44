"""Help in danger, one tap away on every kiosk screen: four numbers, nothing asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from bot.channels.kiosk import Kiosk


@dataclass(frozen=True)
class Helpline:
    """A number to call or text, the link that does it, and what it is for (easy-read)."""

    number: str
    href: str
    action: str
    what: str


HELPLINES = (
    Helpline(
        "3919",
        "tel:3919",
        "Appeler le 3919",
        "Violences Femmes Info. Pour les violences faites aux femmes. Jour et nuit.",
    ),
    Helpline("17", "tel:17", "Appeler le 17", "La police. Si vous êtes en danger maintenant."),
    Helpline("114", "sms:114", "Écrire un SMS au 114", "Par SMS, si vous ne pouvez pas parler."),
    Helpline("119", "tel:119", "Appeler le 119", "Pour un enfant en danger."),
)
INTRO = "Vous êtes en danger ? Appelez tout de suite. Les appels sont gratuits."
OUTRO = "Vous pouvez revenir aux questions après."


def script() -> str:
    """Return what the page's sound says: every number, one sentence each."""
    lines = [f"{line.action.replace('SMS', 'texto')} : {line.what}" for line in HELPLINES]
    return " ".join([INTRO, *lines, OUTRO])


def routes(kiosk: Kiosk) -> list[BaseRoute]:
    """Return the route of the help page."""

    async def help_page(request: Request) -> Response:
        """GET /kiosk/aide-urgente: the helplines at once, with their sound."""
        return kiosk.render("kiosk_sos.html", intro=INTRO, outro=OUTRO, spoken=script())

    return [Route("/kiosk/aide-urgente", help_page, methods=["GET"])]
