"""The report back to participants: compose, preview, publish and send what became of their ideas.

A report back is sent to those who asked for news, in their register, through the outbox:
Telegram gets the text and its voice note (always, audio mode or not), an SMS the short text
with the public page's address, and the public page (`/retours`) shows it with its MP3.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels import registry
from bot.channels.base import OutboundMessage
from dashboard import outreach, report_words
from dashboard.config import campaign_flows
from dashboard.reach import reach
from dashboard.synthesis import build
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from flows.gsm7 import budget
from storage import audit, feedback, report_back
from storage.models import Participant
from storage.small_groups import SmallGroups

log = logging.getLogger(__name__)
PAGE = PREFIX + "/report-back"
MAX_LENGTH = 1500
INTRO = "Merci d'avoir participé à la consultation. Voici ce que l'atelier a proposé."
AUDIENCE = "followup"  # those who asked for news
PEOPLE = re.compile(r"\b(\d+)\s+(?:personnes?|participant(?:e)?s?|habitant(?:e)?s?|femmes?|hommes?|"
                    r"gens|jeunes|familles?|parents?)\b", re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class ReportBackSection:
    """config.yml `report_back:`."""

    SECTION: ClassVar[str] = "report_back"
    voice_number: str  # the number to call to hear the news (said in the SMS); empty: not said


def small_count(text: str, groups: SmallGroups) -> str:
    """Return the first "N personnes" of a text that names a small group ("" when none)."""
    for found in PEOPLE.finditer(text):
        if groups.small(int(found.group(1))):
            return found.group(0)
    return ""


def message_for(channel: str, person: Participant, report: Any) -> OutboundMessage:
    """Shape the report back for one person: the short SMS, or the text in their register with audio."""
    extra = {"kind": "report_back", "report_back": report.id}
    if registry.capabilities(channel).answers_by == "numbers":
        return OutboundMessage(text=report.sms, spoken=report.sms, role="info", easy=person.easy,
                               audio=False, lang=person.language, extra=extra)  # fmt: skip
    body = report.easy if person.easy else report.text
    spoken = report.spoken if person.easy else report_words.spoken(report.text)
    # The report back always carries its audio where the channel plays audio.
    audio = registry.capabilities(channel).audio != "none"
    return OutboundMessage(text=body, spoken=spoken, role="info", easy=person.easy, audio=audio,
                           lang=person.language, extra=extra)  # fmt: skip


def queue(session: Session, services: Any, participant_ids: list[int], report: Any) -> dict[int, int]:
    """Write one outbox row per person who did not stop, through the sender that reaches them."""
    def shape(channel: str, person: Participant) -> OutboundMessage:
        return message_for(channel, person, report)

    return outreach.queue_shaped(session, participant_ids, shape, services)


def already_sent(session: Session, fields: dict[str, str], made: dict[str, Any]) -> str:
    """Return when the latest report back was published if it is this one again ("" otherwise)."""
    latest = report_back.latest(session)
    if latest is None:
        return ""
    same = (latest.intro_text, latest.intro_easy, latest.sms, latest.items) == (
        fields["intro_text"], fields["intro_easy"], fields["sms"], {"items": made["items"]})
    return latest.published_at.strftime("%d/%m/%Y à %H:%M") if same else ""


def warm_audio(services: Any, spoken: str) -> None:
    """Render the report back's audio now, so the page, the calls and Telegram find it cached."""
    audio = getattr(services, "audio", None)
    if audio is None:
        return
    try:
        audio.clip(spoken, "fr", "mp3")
    except Exception:  # the page renders it again on demand; the text is what counts
        log.exception("report back audio could not be rendered now")


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the report-back routes."""
    c = app.config
    voice_number = app.settings.typed(ReportBackSection).voice_number

    def followers(session: Session) -> list[int]:
        return outreach.asking_for_news(session, c)

    def history(session: Session) -> list[dict[str, Any]]:
        found = []
        for r in report_back.published(session):
            counts = feedback.progress(session, r.campaign_id) if r.campaign_id else {}
            when = r.published_at.strftime("%d/%m/%Y %H:%M")
            found.append({"id": r.id, "at": when, "by": r.published_by, "items": len(r.items["items"]),
                          **outreach.delivery(app.services, counts)})  # fmt: skip
        return found

    @guard(app)
    async def page(request: Request) -> Response:
        flow = campaign_flows(app.services).get(c.profile_flow)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                latest = report_back.latest(session)
                if latest is not None:
                    intro_text, intro_easy = latest.intro_text, latest.intro_easy
                else:
                    intro_text = INTRO
                    intro_easy = "\n".join(build(session, flow, c).easy) if flow is not None else ""
                return {"found": report_back.recommendations(session), "people": len(followers(session)),
                        "history": history(session), "intro_text": intro_text,
                        "intro_easy": intro_easy}  # fmt: skip

        data = await app.run(load)
        return app.render(request, "report_back.html", {
            "title": "Compte rendu aux habitants", "active": "/report-back",
            "statuses": report_words.STATUSES,
            "sms": report_words.sms(app.settings.public_base_url, voice_number),
            "public": report_words.PUBLIC_PATH, **data,
        })  # fmt: skip

    def read(request: Request) -> tuple[dict[str, str], str | None]:
        form = form_of(request)
        fields = {k: str(form.get(k, "")).strip() for k in ("intro_text", "intro_easy", "sms")}
        fields["intro_easy"] = "\n".join(x.strip() for x in fields["intro_easy"].splitlines() if x.strip())
        if not fields["intro_text"] or not fields["intro_easy"] or not fields["sms"]:
            return fields, "Écrivez les trois textes : standard, facile à lire et le SMS court."
        if max(len(v) for v in fields.values()) > MAX_LENGTH:
            return fields, f"Un texte ne peut pas dépasser {MAX_LENGTH} caractères."
        if budget(fields["sms"]).segments > report_words.MAX_SMS_SEGMENTS:
            return fields, (f"Le SMS est trop long : {budget(fields['sms']).segments} SMS. "
                            f"Raccourcissez-le à {report_words.MAX_SMS_SEGMENTS} SMS au plus.")  # fmt: skip
        for text in fields.values():
            small = small_count(text, c.groups)
            if small:
                return fields, (f"« {small} » : un groupe de moins de {c.groups.k} personnes ne peut "
                                "pas être montré. Écrivez « quelques personnes ».")  # fmt: skip
        return fields, None

    def composed(session: Session, fields: dict[str, str]) -> dict[str, Any]:
        items = report_back.snapshot(report_back.recommendations(session))
        text, easy, spoken = report_words.compose(fields["intro_text"], fields["intro_easy"], items)
        return {"items": items, "text": text, "easy": easy, "spoken": spoken}

    @guard(app)
    async def preview(request: Request) -> Response:
        fields, problem = read(request)
        if problem:
            return html_error(app, request, problem)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                people = feedback.people(session, followers(session))
                return {**composed(session, fields), "channels": reach(app.services, people)}

        data = await app.run(load)
        return app.render(request, "report_back_preview.html", {
            "title": "Aperçu du compte rendu", "active": "/report-back", **fields, **data,
            "count": sum(r.people for r in data["channels"]), "now": sum(r.now for r in data["channels"]),
            "sms_budget": budget(fields["sms"]),
        })  # fmt: skip

    @guard(app)
    async def send(request: Request) -> Response:
        fields, problem = read(request)
        viewer = viewer_of(request)
        if problem:
            return html_error(app, request, problem)

        def publish() -> tuple[int, list[int], str] | str:
            with app.db.transaction() as session:
                report_back.lock_publishing(session)  # a double click waits, then sees the first
                made = composed(session, fields)
                sent = already_sent(session, fields, made)
                if sent:
                    return sent
                report = report_back.publish(session, viewer.email, sms=fields["sms"],
                                             intro_text=fields["intro_text"], intro_easy=fields["intro_easy"],
                                             **made)  # fmt: skip
                campaign = feedback.create(session, report.text, report.easy, AUDIENCE, viewer.email)
                report_back.attach(session, report.id, campaign.id)
                queued = queue(session, app.services, followers(session), report)
                feedback.link(session, campaign.id, queued)
                audit.record(session, viewer.email, "report_back_sent", report_back=report.id,
                             campaign=campaign.id, messages=len(queued))  # fmt: skip
                return report.id, list(queued.values()), report.spoken

        done = await app.run(publish)
        if isinstance(done, str):  # a double click, or the same report back sent again
            again = (f"Ce compte rendu a déjà été envoyé le {done}, aux mêmes personnes. "
                     "Changez un texte ou une recommandation pour en envoyer un nouveau.")  # fmt: skip
            return html_error(app, request, again, 409)
        report_id, outbox_ids, spoken = done
        await app.run(warm_audio, app.services, spoken)
        await outreach.dispatch(app.services, outbox_ids)
        return RedirectResponse(f"{PAGE}#retour-{report_id}", status_code=303)

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(PAGE + "/preview", preview, methods=["POST"]),
        Route(PAGE + "/send", send, methods=["POST"]),
    ]
