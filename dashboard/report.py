"""The workshop report: a page, a PDF, and the easy-read synthesis for participants."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import divides, labels
from dashboard.config import campaign_flows
from dashboard.deliberation_view import Outcome, easy_sentences, outcome
from dashboard.figures import profile_options, select_people
from dashboard.proposals_view import for_report
from dashboard.synthesis import Synthesis, build
from dashboard.web import PREFIX, SECURITY_HEADERS, Dashboard, guard, html_error, viewer_of
from storage import audit
from storage.round_two import RoundTwoConfig


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the report routes."""

    async def synthesis(request: Request) -> Synthesis | None:
        flows = campaign_flows(app.services)
        flow = flows.get(request.query_params.get("flow") or app.config.profile_flow)
        if flow is None:
            return None
        profile = flows.get(app.config.profile_flow)

        def load() -> Synthesis:
            with app.db.transaction() as session:
                selection = select_people(session, app.config, request.query_params)
                return build(session, flow, app.config, profile, selection)

        return await app.run(load)

    async def options() -> dict[str, list[tuple[str, str]]]:
        flows = campaign_flows(app.services)

        def load() -> dict[str, list[tuple[str, str]]]:
            with app.db.transaction() as session:
                return profile_options(flows.get(app.config.profile_flow), app.config, session)

        return await app.run(load)

    async def round_two() -> Outcome | None:
        min_votes = app.settings.typed(RoundTwoConfig).min_votes

        def load() -> Outcome | None:
            with app.db.transaction() as session:
                return outcome(session, min_votes, app.config.groups)

        return await app.run(load)

    @guard(app)
    async def page(request: Request) -> Response:
        found = await synthesis(request)
        if found is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        return app.render(request, "report.html", {
            "title": "Synthèse pour l'atelier", "active": "/report", "s": found,
            "features": labels.FEATURES, "r2": await round_two(),
            "proposals": await for_report(app, found.flow),
            "selection": found.selection, "options": await options(), "flow_id": found.flow.id,
            "query": request.url.query, "divides_note": divides.note(app.config.groups.k),
            "no_divide": divides.NO_DIVIDE,
        })  # fmt: skip

    @guard(app)
    async def pdf(request: Request) -> Response:
        from dashboard import report_pdf  # reportlab: only when someone downloads the PDF

        found = await synthesis(request)
        if found is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        viewer = viewer_of(request)
        content = await app.run(report_pdf.render, found, app.config.groups)

        def note() -> None:
            with app.db.transaction() as session:
                audit.record(session, viewer.email, "report_pdf", flows=[found.flow.id])

        await app.run(note)
        headers = {
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="synthese-{found.flow.id}.pdf"',
        }
        return Response(content, media_type="application/pdf", headers=headers)

    @guard(app)
    async def easy(request: Request) -> Response:
        found = await synthesis(request)
        if found is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        return app.render(request, "report_easy.html", {
            "title": "Synthèse facile à lire", "active": "/report", "s": found,
            "round_two": easy_sentences(await round_two()),
        })  # fmt: skip

    return [
        Route(PREFIX + "/report", page, methods=["GET"]),
        Route(PREFIX + "/report.pdf", pdf, methods=["GET"]),
        Route(PREFIX + "/report/easy", easy, methods=["GET"]),
    ]
