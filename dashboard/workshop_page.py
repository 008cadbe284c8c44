"""The workshop pack's page and its PDF: one HTML template, shown in the browser or printed by WeasyPrint."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import divides, workshop_pdf
from dashboard.config import campaign_flows
from dashboard.web import PREFIX, SECURITY_HEADERS, Dashboard, guard, html_error, viewer_of
from dashboard.workshop import Pack, WorkshopConfig, gather, plan
from storage import audit

PAGE = PREFIX + "/atelier"
TEMPLATE = "workshop.html"


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the workshop pack's routes (the `workshop:` section is read once, at start-up)."""
    config = app.settings.typed(WorkshopConfig)

    async def pack(request: Request) -> Pack | None:
        flows = campaign_flows(app.services)
        flow = flows.get(request.query_params.get("flow") or app.config.profile_flow)
        if flow is None:
            return None
        profile = flows.get(app.config.profile_flow)

        def load() -> Pack:
            with app.db.transaction() as session:
                return plan(gather(session, flow, profile, app.config), config)

        return await app.run(load)

    def context(found: Pack, request: Request) -> dict[str, Any]:
        return {
            "title": f"Programme de l'atelier — {found.title}", "active": "/atelier", "pack": found,
            "workshop": config, "divides_note": divides.note(app.config.groups.k), "k": app.config.groups.k,
            "query": request.url.query,
        }  # fmt: skip

    @guard(app)
    async def page(request: Request) -> Response:
        found = await pack(request)
        if found is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        return app.render(request, TEMPLATE, {**context(found, request), "layout": "base.html"})

    @guard(app)
    async def pdf(request: Request) -> Response:
        found = await pack(request)
        if found is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        html = app.templates.env.get_template(TEMPLATE).render(
            **context(found, request), layout="print.html", printing=True
        )
        content = await app.run(workshop_pdf.render, html)
        viewer = viewer_of(request)

        def note() -> None:
            with app.db.transaction() as session:
                audit.record(session, viewer.email, "workshop_pdf", days=config.days)

        await app.run(note)
        headers = {**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="programme-atelier.pdf"'}
        return Response(content, media_type="application/pdf", headers=headers)

    return [Route(PAGE, page, methods=["GET"]), Route(PAGE + ".pdf", pdf, methods=["GET"])]
