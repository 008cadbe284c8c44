"""Feedback to participants: write in both registers, preview, send through the outbox."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import outreach
from dashboard.config import campaign_flows
from dashboard.reach import Reach, reach
from dashboard.synthesis import build
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from flows.gsm7 import budget
from storage import audit, feedback, panels

MAX_LENGTH = 1500


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the feedback routes."""
    c = app.config

    def audiences(session: Any) -> list[tuple[str, str, int]]:
        """Return (key, label, recipients) of every audience."""
        found = [
            (
                "followup",
                "Toutes les personnes qui ont demandé des nouvelles",
                len(outreach.asking_for_news(session, c)),
            )
        ]
        latest = panels.latest_panel(session)
        if latest is not None:
            found.append((f"panel:{latest.id}", f"Le panel tiré le {latest.created_at:%d/%m/%Y}",
                          len(feedback.panel_members(session, latest.id))))  # fmt: skip
        return found

    def recipients(session: Any, audience: str) -> list[int] | None:
        if audience == "followup":
            return outreach.asking_for_news(session, c)
        if audience.startswith("panel:") and audience[6:].isdigit():
            return feedback.panel_members(session, int(audience[6:]))
        return None

    def history(session: Any) -> list[dict[str, Any]]:
        found = []
        for f in feedback.campaigns(session):
            counts = feedback.progress(session, f.id)
            found.append({"id": f.id, "at": f.created_at.strftime("%d/%m/%Y %H:%M"), "by": f.created_by,
                          "text": f.text, **outreach.delivery(app.services, counts)})  # fmt: skip
        return found

    @guard(app)
    async def page(request: Request) -> Response:
        flow = campaign_flows(app.services).get(c.profile_flow)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                easy = ""
                if request.query_params.get("template") == "easy" and flow is not None:
                    easy = "\n".join(build(session, flow, c).easy)
                return {"audiences": audiences(session), "campaigns": history(session),
                        "easy": easy}  # fmt: skip

        data = await app.run(load)
        return app.render(request, "feedback.html", {
            "title": "Retours aux participants", "active": "/feedback", "text": "", **data,
        })  # fmt: skip

    def read(request: Request) -> tuple[str, str, str, str | None]:
        form = form_of(request)
        text, easy = str(form.get("text", "")).strip(), str(form.get("easy", "")).strip()
        audience = str(form.get("audience", ""))
        problem = None
        if not text or not easy:
            problem = "Écrivez le message dans les deux versions : standard et facile à lire."
        elif len(text) > MAX_LENGTH or len(easy) > MAX_LENGTH:
            problem = f"Un message ne peut pas dépasser {MAX_LENGTH} caractères."
        return text, easy, audience, problem

    @guard(app)
    async def preview(request: Request) -> Response:
        text, easy, audience, problem = read(request)
        if problem:
            return html_error(app, request, problem)

        def load() -> list[Reach] | None:
            with app.db.transaction() as session:
                people = recipients(session, audience)
                return None if people is None else reach(app.services, feedback.people(session, people))

        channels = await app.run(load)
        if channels is None:
            return html_error(app, request, "Choisissez à qui envoyer le message.")
        return app.render(request, "feedback_preview.html", {
            "title": "Aperçu du message", "active": "/feedback", "text": text, "easy": easy,
            "audience": audience, "count": sum(r.people for r in channels),
            "now": sum(r.now for r in channels), "channels": channels,
            "sms": [("Standard", budget(text)), ("Facile à lire", budget(easy))],
        })  # fmt: skip

    @guard(app)
    async def send(request: Request) -> Response:
        text, easy, audience, problem = read(request)
        viewer = viewer_of(request)
        if problem:
            return html_error(app, request, problem)

        def queue() -> tuple[int, list[int]] | None:
            with app.db.transaction() as session:
                people = recipients(session, audience)
                if people is None:
                    return None
                campaign = feedback.create(session, text, easy, audience, viewer.email)
                queued = outreach.queue(session, people, text, easy,
                                        {"kind": "feedback", "campaign": campaign.id},
                                        app.services)  # fmt: skip
                feedback.link(session, campaign.id, queued)
                audit.record(session, viewer.email, "feedback_sent", campaign=campaign.id,
                             audience=audience.split(":")[0], messages=len(queued))  # fmt: skip
                return campaign.id, list(queued.values())

        done = await app.run(queue)
        if done is None:
            return html_error(app, request, "Choisissez à qui envoyer le message.")
        await outreach.dispatch(app.services, done[1])
        return RedirectResponse(PREFIX + "/feedback#envoi-" + str(done[0]), status_code=303)

    return [
        Route(PREFIX + "/feedback", page, methods=["GET"]),
        Route(PREFIX + "/feedback/preview", preview, methods=["POST"]),
        Route(PREFIX + "/feedback/send", send, methods=["POST"]),
    ]
