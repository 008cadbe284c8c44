"""The accessible web kiosk: one question per screen, large pictured buttons, taps only."""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.audio.engines import EngineError
from bot.channels.base import Capabilities, InboundMessage, OutboundMessage, SendResult
from bot.intake import Flooded, receive
from bot.kiosk_limits import NewcomerLimit
from storage import repo

if TYPE_CHECKING:
    from bot.container import Services

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COOKIE = "pv_kiosk"
MAX_BODY = 256 * 1024


class KioskChannel:
    """The kiosk shows its replies in the page, so sending only marks them delivered."""

    name = "kiosk"
    capabilities = Capabilities(buttons=True, audio=True, max_length=10_000, markup="none")

    async def send(self, address: str, message: OutboundMessage) -> SendResult:
        """Nothing to push: the page reads the replies after the redirect."""
        return SendResult(ok=True)


@dataclass
class KioskSession:
    """The kiosk's anonymous participant, carried in a signed cookie."""

    address: str
    csrf: str
    assisted: bool = False
    fresh: bool = False


def templates() -> Environment:
    """Return the Jinja2 environment for kiosk pages."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), auto_reload=False
    )


class Kiosk:
    """Routes of the kiosk, bound to the services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        settings = services.settings
        section = settings.section("kiosk")
        self.max_text = int(section.get("max_text_length", 2000))
        self.max_age = int(section.get("cookie_max_age_days", 30)) * 86400
        self.signer = URLSafeTimedSerializer(settings.secret_key, salt="porte-voix kiosk")
        self.secure = settings.public_base_url.startswith("https://")
        self.env = templates()
        self.newcomers = NewcomerLimit(settings)

    # session -----------------------------------------------------------------
    def session(self, request: Request) -> KioskSession:
        """Read the signed cookie; a missing, expired or tampered one starts afresh."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.signer.loads(raw, max_age=self.max_age)
                return KioskSession(str(data["a"]), str(data["c"]), bool(data.get("h")))
            except (BadSignature, KeyError, TypeError, ValueError):
                pass
        return KioskSession(uuid.uuid4().hex, secrets.token_urlsafe(24), fresh=True)

    def keep(self, response: Response, session: KioskSession) -> Response:
        """Write the session cookie on a response."""
        value = self.signer.dumps({"a": session.address, "c": session.csrf, "h": session.assisted})
        response.set_cookie(COOKIE, value, max_age=self.max_age, httponly=True, samesite="lax",
                            secure=self.secure, path="/")  # fmt: skip
        return response

    # pages -------------------------------------------------------------------
    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a template."""
        audio = self.services.audio
        context.setdefault("audio_available", audio is not None)
        context.setdefault("audio_url", self.audio_url if audio is not None else None)
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def audio_url(self, text: str, lang: str, fmt: str) -> str | None:
        """Return a message's audio URL, or None when it cannot be rendered (the text stays)."""
        try:
            return str(self.services.audio.url_for(text, lang, fmt))
        except (EngineError, ValueError) as exc:
            log.warning("kiosk audio unavailable: %s", exc)
            return None

    def replies(self, session: KioskSession) -> list[OutboundMessage]:
        """Return the latest replies shown to this kiosk participant."""
        key = self.services.service.participant_key("kiosk", session.address)
        with self.services.db.transaction() as db_session:
            participant = repo.find_participant(db_session, key)
            if participant is None:
                return []
            rows = repo.last_replies(db_session, participant.id)
            return [OutboundMessage.from_payload(r.payload) for r in rows]

    def page(self, session: KioskSession, status: int = 200, error: str | None = None) -> Response:
        """Render the current screen: the start page, or the latest messages."""
        messages = [] if session.fresh else self.replies(session)
        context = {"csrf": session.csrf, "nonce": uuid.uuid4().hex, "error": error,
                   "assisted": session.assisted}  # fmt: skip
        if not messages:
            flows = [self.services.flows.current(f) for f in self.services.flows.ids()]
            default = self.services.settings.default_flow
            response = self.render("kiosk_start.html", status, flows=flows, default=default,
                                   **context)  # fmt: skip
        else:
            question = next((m for m in reversed(messages) if m.expects != "none"), None)
            response = self.render("kiosk.html", status, messages=messages, question=question,
                                   **context)  # fmt: skip
        return self.keep(response, session)

    async def show(self, request: Request) -> Response:
        """GET /kiosk."""
        session = self.session(request)
        return await anyio.to_thread.run_sync(self.page, session)

    async def form(self, request: Request, session: KioskSession) -> FormData | Response:
        """Read a form safely: size limit and CSRF token."""
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return self.page(session, 413, "Le message envoyé est trop gros.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return self.page(session, 413, "Le message envoyé est trop gros.")
        request._body = body  # let Starlette parse the form from what we already read
        form = await request.form()
        token = str(form.get("csrf", ""))
        if session.fresh or not hmac.compare_digest(token.encode(), session.csrf.encode()):
            return self.page(
                session, 403, "La page a expiré. Rien n'a été enregistré. Recommencez ici."
            )
        return form

    def known(self, address: str) -> bool:
        """Say whether this kiosk address is already a participant."""
        key = self.services.service.participant_key("kiosk", address)
        with self.services.db.sessions() as db_session:
            return repo.find_participant(db_session, key) is not None

    async def submit(self, request: Request, inbound: InboundMessage) -> Response:
        """Hand an inbound message to the service, dispatch, and redirect (PRG)."""
        known = await anyio.to_thread.run_sync(self.known, inbound.address)
        if not known and not self.newcomers.admit(request):
            return self.render("kiosk_busy.html", 429, error=None)
        try:
            await receive(self.services, inbound)
        except Flooded:
            error = "Trop de messages d'un coup. Attendez un peu."
            return await anyio.to_thread.run_sync(self.page, self.session(request), 429, error)
        return RedirectResponse("/kiosk", status_code=303)

    async def start(self, request: Request) -> Response:
        """POST /kiosk/start: begin a flow."""
        session = self.session(request)
        form = await self.form(request, session)
        if isinstance(form, Response):
            return form
        session.assisted = form.get("assisted") == "1"
        flow = str(form.get("flow") or self.services.settings.default_flow)
        if not self.services.flows.has(flow):
            return self.page(session, 400, "Ce questionnaire n'existe pas.")
        inbound = InboundMessage(channel="kiosk", address=session.address,
                                 external_id=_nonce(form), start_flow=flow,
                                 assisted=session.assisted)  # fmt: skip
        return self.keep(await self.submit(request, inbound), session)

    async def answer(self, request: Request) -> Response:
        """POST /kiosk/answer: a button, a set of boxes, a text or a command."""
        session = self.session(request)
        form = await self.form(request, session)
        if isinstance(form, Response):
            return form
        text = str(form.get("text") or "")
        if len(text) > self.max_text:
            error = (f"Votre texte est trop long : {len(text)} caractères. "
                     f"Écrivez {self.max_text} caractères au plus. Vos réponses sont gardées.")
            return await anyio.to_thread.run_sync(lambda: self.page(session, 413, error))
        command = str(form.get("cmd") or "")
        choice = str(form.get("choice") or "") or (f"cmd:{command}" if command else None)
        keys = tuple(str(k) for k in form.getlist("keys"))
        if form.get("multi") and not keys and not choice:
            choice = "_valider"
        inbound = InboundMessage(
            channel="kiosk",
            address=session.address,
            external_id=_nonce(form),
            text=text if not choice and not keys else None,
            choice=choice,
            keys=keys if not choice else (),
            step=str(form.get("step") or "") or None,
            assisted=session.assisted,
        )
        if not (inbound.text or inbound.choice or inbound.keys):
            return RedirectResponse("/kiosk", status_code=303)
        return self.keep(await self.submit(request, inbound), session)


def _nonce(form: FormData) -> str:
    """Return the form's one-time id (a double submit is then deduplicated)."""
    nonce = str(form.get("nonce") or "")
    return nonce[:64] if nonce else uuid.uuid4().hex


def routes(services: Services) -> list[BaseRoute]:
    """Return the kiosk routes."""
    kiosk = Kiosk(services)
    return [
        Route("/kiosk", kiosk.show, methods=["GET"]),
        Route("/kiosk/start", kiosk.start, methods=["POST"]),
        Route("/kiosk/answer", kiosk.answer, methods=["POST"]),
    ]
