"""The accessible web kiosk: one question per screen, large pictured buttons, taps or voice."""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.audio.engines import EngineError
from bot.channels import kiosk_news, kiosk_people, kiosk_sos, kiosk_voice
from bot.channels.base import Capabilities, InboundMessage
from bot.channels.kiosk_modes import MODES, prefer
from bot.channels.kiosk_news import ResultsConfig, erasing, forget_phone
from bot.channels.kiosk_screen import WELCOME, NewsWish, Screen, read
from bot.channels.kiosk_session import KioskSession, Sessions, newcomer
from bot.channels.plugin import ChannelPlugin, Hub, RepliesOnly, in_response
from bot.channels.sms_text import SmsSection
from bot.intake import Flooded
from bot.kiosk_limits import Enrolment, NewcomerLimit
from bot.settings import Settings
from flows.events import DONE_KEY
from storage import repo, report_back
from storage.privacy import Crypto

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_BODY = 256 * 1024


CHANNEL = "kiosk"
# The page shows every reply of a turn, so nothing is ever sent later: no address to reach.
CAPABILITIES = Capabilities(answers_by="kiosk", max_length=10_000, markup="none", audio="mp3",
                            audio_choice=True, stop_is_final=False, identity=CHANNEL,
                            sends_later=False)  # fmt: skip


@dataclass(frozen=True)
class KioskSection:
    """config.yml `kiosk:`."""

    SECTION: ClassVar[str] = "kiosk"
    max_text_length: int
    cookie_max_age_days: int
    idle_seconds: int
    max_recording_bytes: int
    new_per_hour: float  # new participants a client address may start (an enrolled kiosk: any)
    new_burst: int
    enrolment_days: int


@dataclass(frozen=True)
class KioskConfig:
    """The kiosk's section, and what it needs of the server: its secret, URL and default flow."""

    section: KioskSection
    secret_key: str
    secure: bool  # the cookie travels over HTTPS only
    default_flow: str
    results: ResultsConfig
    news: NewsWish  # the answer that asks for news (config.yml `dashboard:`)
    recordings: Path  # spoken answers are kept under recordings/kiosk
    region: str  # how a national phone number is read (config.yml `sms.region`)

    @classmethod
    def load(cls, settings: Settings, env: Mapping[str, str] | None = None, audio: Any = None) -> KioskConfig:
        """Read config.yml `kiosk:` and `results:`, and the server settings the kiosk uses."""
        board = settings.section("dashboard")  # the dashboard's own typed section lives in dashboard/
        wish = NewsWish(str(board["followup_result"]), str(board["yes_key"]))
        return cls(settings.typed(KioskSection), settings.secret_key,
                   settings.public_base_url.startswith("https://"), settings.default_flow,
                   settings.typed(ResultsConfig), wish, settings.data_dir / "recordings",
                   settings.typed(SmsSection).region)  # fmt: skip


def templates() -> Environment:
    """Return the Jinja2 environment for kiosk pages."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), auto_reload=False
    )


class Kiosk:
    """Routes of the kiosk, bound to its config and the service's hub."""

    def __init__(self, config: KioskConfig, hub: Hub) -> None:
        self.config = config
        self.hub = hub
        self.max_text = config.section.max_text_length
        self.sessions = Sessions(config.secret_key, config.section.cookie_max_age_days * 86400,
                                 config.secure)  # fmt: skip
        self.crypto = Crypto(config.secret_key)
        self.env = templates()
        section = config.section
        enrolment = Enrolment(config.secret_key, section.enrolment_days, config.secure)
        self.newcomers = NewcomerLimit(enrolment, section.new_per_hour, section.new_burst)

    # session -----------------------------------------------------------------
    def session(self, request: Request) -> KioskSession:
        """Read the signed cookie; a missing, expired or tampered one starts afresh."""
        return self.sessions.read(request)

    def keep(self, response: Response, session: KioskSession) -> Response:
        """Write the session cookie on a response."""
        return self.sessions.keep(response, session)

    def key(self, session: KioskSession) -> str:
        """Return the pseudonymous key of this kiosk person."""
        return self.hub.participant_key(CHANNEL, session.address)

    # pages -------------------------------------------------------------------
    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a template with what every kiosk page needs (sound, idle time, help)."""
        audio = self.hub.audio
        context.setdefault("audio_available", audio is not None)
        context.setdefault("audio_url", self.audio_url if audio is not None else None)
        context.setdefault("audio_format", CAPABILITIES.audio)
        context.setdefault("done_key", DONE_KEY)
        context.setdefault("idle_seconds", 0)
        context.setdefault("error", None)
        context.setdefault("sos", kiosk_sos.HELPLINES)
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def audio_url(self, text: str, lang: str, fmt: str) -> str | None:
        """Return a message's audio URL, or None when it cannot be rendered (the text stays)."""
        try:
            return str(self.hub.audio.url_for(text, lang, fmt))
        except (EngineError, ValueError) as exc:
            log.warning("kiosk audio unavailable: %s", exc)
            return None

    def screen(self, session: KioskSession) -> Screen:
        """Return what this kiosk person sees now."""
        if session.fresh:
            return WELCOME
        with self.hub.db.sessions() as db_session:
            return read(db_session, self.key(session), self.config.news)

    def page(self, session: KioskSession, status: int = 200, error: str | None = None) -> Response:
        """Render the current screen: the welcome, a question, the pause or the end."""
        screen = self.screen(session)
        notice, session.notice = session.notice, ""  # shown once
        context = {"csrf": session.csrf, "nonce": uuid.uuid4().hex, "error": error, "notice": notice,
                   "assisted": session.assisted, "screen": screen,
                   # Back to the welcome for a new person after a while, except at a pause
                   # (the person chose to come back) and at the welcome itself.
                   "idle_seconds": self.config.section.idle_seconds
                   if screen.kind in ("question", "ended") else 0}  # fmt: skip
        if screen.kind == "welcome":
            flows = [self.hub.flows.current(f) for f in self.hub.flows.ids()]
            response = self.render("kiosk_start.html", status, flows=flows, news=self.news_published(),
                                   default=self.config.default_flow, **context)  # fmt: skip
        else:
            response = self.render("kiosk.html", status, messages=screen.messages,
                                   question=screen.question, **context)  # fmt: skip
        return self.keep(response, session)

    def news_published(self) -> bool:
        """Say whether a report back is published (the welcome then leads to it)."""
        with self.hub.db.sessions() as db_session:
            return report_back.latest(db_session) is not None

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
        with self.hub.db.sessions() as db_session:
            return repo.find_participant(db_session, self.hub.participant_key(CHANNEL, address)) is not None

    async def submit(self, request: Request, *inbound: InboundMessage) -> Response:
        """Hand inbound messages to the service and redirect (PRG); the page shows the replies."""
        if inbound and not await anyio.to_thread.run_sync(self.known, inbound[0].address) \
                and not self.newcomers.admit(request):
            return self.render("kiosk_busy.html", 429, error=None)
        try:
            for message in inbound:
                await self.hub.receive(message, reply_inline=in_response)
        except Flooded:
            error = "Trop de messages d'un coup. Attendez un peu."
            return await anyio.to_thread.run_sync(self.page, self.session(request), 429, error)
        return RedirectResponse("/kiosk", status_code=303)

    async def start(self, request: Request) -> Response:
        """POST /kiosk/start: begin a flow, in the reading and sound mode chosen at the welcome."""
        session = self.session(request)
        form = await self.form(request, session)
        if isinstance(form, Response):
            return form
        session.assisted = form.get("assisted") == "1"
        flow = str(form.get("flow") or self.config.default_flow)
        if not self.hub.flows.has(flow):
            return self.page(session, 400, "Ce questionnaire n'existe pas.")
        mode = str(form.get("mode") or "")
        if mode in MODES:
            encrypted = lambda: self.crypto.encrypt(session.address)  # noqa: E731
            await anyio.to_thread.run_sync(prefer, self.hub.db, self.key(session), CHANNEL, encrypted, mode)
        inbound = InboundMessage(channel=CHANNEL, address=session.address,
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
            choice = DONE_KEY
        inbound = InboundMessage(
            channel=CHANNEL,
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
        key = self.key(session)
        erases = choice == "oui" and await anyio.to_thread.run_sync(erasing, self.hub.db, key)
        response = await self.submit(request, inbound)
        if erases:  # a number left for news goes with the answers; the next person starts afresh
            await anyio.to_thread.run_sync(forget_phone, self.hub.db, self.crypto, key, session.address)
            session = newcomer(fresh=False)
            session.notice = self.erased_notice()
        return self.keep(response, session)

    def erased_notice(self) -> str:
        """Return the erasure's confirmation, in easy-read (the person and their replies are gone)."""
        flow = self.hub.flows.current(self.config.default_flow)
        return flow.system_message("erase_done", CAPABILITIES.answers_by).get("fr").easy


def _nonce(form: FormData) -> str:
    """Return the form's one-time id (a double submit is then deduplicated)."""
    nonce = str(form.get("nonce") or "")
    return nonce[:64] if nonce else uuid.uuid4().hex


def routes(channel: RepliesOnly, hub: Hub) -> list[BaseRoute]:
    """Return the kiosk routes."""
    config: KioskConfig = channel.config
    kiosk = Kiosk(config, hub)
    return [
        Route("/kiosk", kiosk.show, methods=["GET"]),
        Route("/kiosk/start", kiosk.start, methods=["POST"]),
        Route("/kiosk/answer", kiosk.answer, methods=["POST"]),
        *kiosk_people.routes(kiosk),
        *kiosk_sos.routes(kiosk),
        *kiosk_news.routes(kiosk, config.results, config.region),
        *kiosk_voice.routes(kiosk, config.recordings, config.section.max_recording_bytes),
    ]


PLUGIN = ChannelPlugin(name=CHANNEL, label="Borne web", capabilities=CAPABILITIES,
                       build=KioskConfig.load, routes=routes)  # fmt: skip
