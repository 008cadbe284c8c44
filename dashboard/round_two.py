"""Round two for facilitators: statements and their moderation, invitations, the analysis page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import labels, outreach
from dashboard.deliberation_view import outcome
from dashboard.reach import sender_for
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from flows.easyread import check_length, check_lines, check_sentences
from storage import audit, feedback, round_two
from storage.round_two import RoundTwoConfig

MAX_LENGTH = 280  # a statement
INVITATION_LENGTH = 1500
INVITATION = (
    "Bonjour ! Le deuxième tour commence : donnez votre avis sur les idées proposées par les "
    "habitants. Envoyez DELIBERATION pour commencer. Répondez STOP pour ne plus recevoir de messages."
)
INVITATION_EASY = (
    "Bonjour !\nVoici le deuxième tour.\nDonnez votre avis sur les idées des habitants.\n"
    "Envoyez DELIBERATION pour commencer."
)


def advice(easy: str) -> list[str]:
    """Return the easy-read rules an easy text breaks (the flows' linter, in short)."""
    found = check_sentences(easy) + check_lines(easy) + check_length(easy)
    return [f.message for f in found]


def audience(session: Session, app: Dashboard) -> tuple[list[int], list[tuple[str, int, bool]]]:
    """Return who can be invited, and per sender: (label, people who asked for news, reachable).

    Each person counts under the channel that can reach them later, as for the report back: a
    caller, or a kiosk visitor who left a number for news, gets the invitation by SMS.
    """
    c = app.config
    asked = outreach.asking_for_news(session, c)
    channels = {p.id: sender_for(app.services, p) for p in feedback.people(session, asked)}
    reachable = [pid for pid in asked if labels.reachable_later(channels[pid])]
    counts = Counter(channels.values())
    rows = [(labels.channel(ch), n, labels.reachable_later(ch)) for ch, n in sorted(counts.items())]
    return reachable, rows


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the round-two routes."""
    config = app.settings.typed(RoundTwoConfig)

    def load(session: Session) -> dict[str, Any]:
        counts = round_two.vote_counts(session)
        statements = round_two.listed(session)
        _, channels = audience(session, app)
        return {
            "proposed": [s for s in statements if s.status == "proposed"],
            "approved": [(s, app.config.groups.count(counts.get(s.id, 0)), advice(s.easy))
                         for s in statements if s.status == "approved"],
            "refused": [s for s in statements if s.status == "refused"],
            "channels": [(label, app.config.groups.count(n), ok) for label, n, ok in channels],
        }  # fmt: skip

    @guard(app)
    async def page(request: Request) -> Response:
        def read() -> dict[str, Any]:
            with app.db.transaction() as session:
                return load(session)

        return app.render(request, "round_two.html", {
            "title": "Deuxième tour : les idées", "active": "/round-two", **await app.run(read),
            "invitation": INVITATION, "invitation_easy": INVITATION_EASY, "max_length": MAX_LENGTH,
        })  # fmt: skip

    def texts(request: Request, what: str = "l'idée", limit: int = MAX_LENGTH) -> tuple[str, str] | str:
        form = form_of(request)
        text, easy = str(form.get("text", "")).strip(), str(form.get("easy", "")).strip()
        if not text or not easy:
            return f"Écrivez {what} dans les deux versions : standard et facile à lire."
        if len(text) > limit or len(easy) > limit:
            return f"{what.capitalize()} ne peut pas dépasser {limit} caractères."
        return text, easy

    @guard(app)
    async def write(request: Request) -> Response:
        given, viewer = texts(request), viewer_of(request)
        if isinstance(given, str):
            return html_error(app, request, given)

        def save() -> None:
            with app.db.transaction() as session:
                statement = round_two.write(session, given[0], given[1], viewer.email)
                audit.record(session, viewer.email, "statement_written", statement=statement.id)

        await app.run(save)
        return RedirectResponse(PREFIX + "/round-two", status_code=303)

    @guard(app)
    async def moderate(request: Request) -> Response:
        viewer, approve = viewer_of(request), form_of(request).get("action") == "approve"
        given = texts(request) if approve else ("", "")
        if isinstance(given, str):
            return html_error(app, request, given)
        statement_id = int(request.path_params["statement_id"])

        def save() -> bool:
            with app.db.transaction() as session:
                done = round_two.moderate(session, statement_id, approve, given[0], given[1], viewer.email)
                if done is not None:
                    action = "statement_approved" if approve else "statement_refused"
                    audit.record(session, viewer.email, action, statement=statement_id)
                return done is not None

        if not await app.run(save):
            return html_error(app, request, "Idée inconnue.", 404)
        return RedirectResponse(PREFIX + "/round-two", status_code=303)

    @guard(app)
    async def invite(request: Request) -> Response:
        given, viewer = texts(request, "le message", INVITATION_LENGTH), viewer_of(request)
        if isinstance(given, str):
            return html_error(app, request, given)

        def queue() -> list[int]:
            with app.db.transaction() as session:
                people, _ = audience(session, app)
                queued = outreach.queue(session, people, given[0], given[1], {"kind": "round_two_invitation"},
                                        app.services)  # fmt: skip
                audit.record(session, viewer.email, "round_two_invited", messages=len(queued))
                return list(queued.values())

        await outreach.dispatch(app.services, await app.run(queue))
        return RedirectResponse(PREFIX + "/round-two#invitations", status_code=303)

    @guard(app)
    async def analysis(request: Request) -> Response:
        def read() -> Any:
            with app.db.transaction() as session:
                return outcome(session, config.min_votes, app.config.groups)

        return app.render(request, "deliberation.html", {
            "title": "Deuxième tour : groupes d'opinion", "active": "/round-two", "o": await app.run(read),
            "min_votes": config.min_votes,
        })  # fmt: skip

    return [
        Route(PREFIX + "/round-two", page, methods=["GET"]),
        Route(PREFIX + "/round-two/statements", write, methods=["POST"]),
        Route(PREFIX + "/round-two/statements/{statement_id:int}", moderate, methods=["POST"]),
        Route(PREFIX + "/round-two/invite", invite, methods=["POST"]),
        Route(PREFIX + "/round-two/analysis", analysis, methods=["GET"]),
    ]
