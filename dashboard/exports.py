"""The exports page and its downloads (answers in four formats, suppressed aggregates)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from dashboard import exporters, labels
from dashboard.config import campaign_flows
from dashboard.export_service import FORMATS, ExportError, filename, start_export
from dashboard.figures import profile_options, questions, select_people
from dashboard.web import PREFIX, SECURITY_HEADERS, Dashboard, form_of, guard, html_error, viewer_of
from storage import audit

FORMAT_LABELS = {
    "csv": "CSV (tableur, une ligne par personne)",
    "xlsx": "Excel (une feuille par questionnaire)",
    "json": "JSON",
    "floip": "Flow Results Package (FLOIP, fichier zip)",
}


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the export routes."""

    @guard(app)
    async def page(request: Request) -> Response:
        flows = campaign_flows(app.services)

        def options() -> dict[str, list[tuple[str, str]]]:
            with app.db.transaction() as session:
                return profile_options(flows.get(app.config.profile_flow), app.config, session)

        choices = await app.run(options)
        return app.render(request, "exports.html", {
            "title": "Exports", "active": "/exports", "flows": sorted(flows),
            "default_flow": app.config.profile_flow, "formats": FORMAT_LABELS,
            "options": choices,
            "features": labels.FEATURES,
        })  # fmt: skip

    @guard(app)
    async def download(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        flows = campaign_flows(app.services)
        fmt = str(form.get("format", ""))
        chosen = [str(f) for f in form.getlist("flow") if str(f)]
        if fmt in ("xlsx", "json") and chosen == ["*"]:
            chosen = sorted(flows)
        try:
            stream = await app.run(start_export, app.db, flows, fmt, chosen, viewer.email)
        except ExportError as exc:
            return html_error(app, request, f"Export impossible : {exc}.")
        name = filename(fmt, chosen if len(chosen) == 1 else ["tous"])
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(stream, media_type=exporters.MEDIA[fmt], headers=headers)

    @guard(app)
    async def aggregates(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        flows = campaign_flows(app.services)
        flow = flows.get(str(form.get("flow", app.config.profile_flow)))
        if flow is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)

        def build() -> str:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            with app.db.transaction() as session:
                selection = select_people(session, app.config, form)
                audit.record(session, viewer.email, "export", format="aggregates",
                             flows=[flow.id], filters=sorted(selection.filters))  # fmt: skip
                writer.writerow(["question", "reponse", "personnes"])
                if selection.refused:
                    writer.writerow(["(filtre refusé)", selection.refusal, ""])
                    return out.getvalue()
                for q in questions(session, flow, selection, app.config.groups):
                    for cell in q.cells:
                        writer.writerow([q.label, cell.label, str(cell.count)])
            return out.getvalue()

        body = "\ufeff" + await app.run(build)

        def chunks() -> Iterator[bytes]:
            yield body.encode("utf-8")

        name = filename("csv", [flow.id + "-chiffres"])
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(chunks(), media_type=exporters.MEDIA["csv"], headers=headers)

    return [
        Route(PREFIX + "/exports", page, methods=["GET"]),
        Route(PREFIX + "/exports/answers", download, methods=["POST"]),
        Route(PREFIX + "/exports/aggregates", aggregates, methods=["POST"]),
    ]


__all__ = ["FORMATS", "routes"]
