"""The recommendations page: what became of each recommendation, with a reason in easy words."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard.report_words import PICTOGRAMS, STATUSES
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from storage import report_back

PAGE = PREFIX + "/recommendations"
TITLE_LENGTH = 300
REASON_LENGTH = 600


def read(form: FormData, known: set[int]) -> tuple[dict[str, Any], str | None]:
    """Read a recommendation's form; return its fields, or what to fix."""
    fields: dict[str, Any] = {
        "title": " ".join(str(form.get("title", "")).split()),
        "easy_title": " ".join(str(form.get("easy_title", "")).split()),
        "status": str(form.get("status", "pending")),
        "reason": "\n".join(x.strip() for x in str(form.get("reason", "")).splitlines() if x.strip()),
        "pictogram": str(form.get("pictogram", "")),
    }
    proposal = str(form.get("proposal", "")).strip()
    fields["proposal_id"] = int(proposal) if proposal.isdigit() else None
    if not fields["title"] or not fields["easy_title"]:
        return fields, "Écrivez la recommandation dans les deux versions : standard et facile à lire."
    if max(len(fields["title"]), len(fields["easy_title"])) > TITLE_LENGTH:
        return fields, f"Un titre ne peut pas dépasser {TITLE_LENGTH} caractères."
    if fields["status"] not in STATUSES:
        return fields, "Choisissez ce qu'est devenue la recommandation."
    if fields["status"] in report_back.NEEDS_REASON and not fields["reason"]:
        label = STATUSES[fields["status"]].label
        return fields, f"« {label} » : écrivez pourquoi, en mots faciles."
    if len(fields["reason"]) > REASON_LENGTH:
        return fields, f"La raison ne peut pas dépasser {REASON_LENGTH} caractères."
    if fields["pictogram"] not in PICTOGRAMS:
        return fields, "Choisissez une image de la liste."
    if proposal and (fields["proposal_id"] is None or fields["proposal_id"] not in known):
        return fields, "Cette proposition n'existe pas."
    return fields, None


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the recommendations routes."""

    @guard(app)
    async def page(request: Request) -> Response:
        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                return {"found": report_back.recommendations(session),
                        "proposals": report_back.named_proposals(session)}  # fmt: skip

        return app.render(request, "recommendations.html", {
            "title": "Recommandations", "active": "/recommendations", "statuses": STATUSES,
            "pictograms": PICTOGRAMS, **await app.run(load),
        })  # fmt: skip

    def save(request: Request, recommendation_id: int | None) -> Any:
        form, viewer = form_of(request), viewer_of(request)

        def write() -> str | None:
            with app.db.transaction() as session:
                known = {i for i, _ in report_back.named_proposals(session)}
                fields, problem = read(form, known)
                if problem:
                    return problem
                if recommendation_id is None:
                    found = report_back.add(session, fields["title"], fields["easy_title"], viewer.email,
                                            fields["proposal_id"], fields["pictogram"])  # fmt: skip
                    recommendation_id_new = found.id
                else:
                    changed = report_back.change(session, recommendation_id, viewer.email, **fields)
                    if changed is None:
                        return "Recommandation inconnue."
                    recommendation_id_new = changed.id
                if recommendation_id is None and fields["status"] != "pending":
                    report_back.change(session, recommendation_id_new, viewer.email,
                                       status=fields["status"], reason=fields["reason"])  # fmt: skip
                return None

        return write

    @guard(app)
    async def add(request: Request) -> Response:
        problem = await app.run(save(request, None))
        if problem:
            return html_error(app, request, problem)
        return RedirectResponse(PAGE, status_code=303)

    @guard(app)
    async def edit(request: Request) -> Response:
        raw = str(request.path_params["rid"])
        if not raw.isdigit():
            return html_error(app, request, "Recommandation inconnue.", 404)
        problem = await app.run(save(request, int(raw)))
        if problem == "Recommandation inconnue.":
            return html_error(app, request, problem, 404)
        if problem:
            return html_error(app, request, problem)
        return RedirectResponse(f"{PAGE}#reco-{raw}", status_code=303)

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(PAGE + "/add", add, methods=["POST"]),
        Route(PAGE + "/{rid}", edit, methods=["POST"]),
    ]
