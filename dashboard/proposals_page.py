"""The proposals page: group free texts into ideas, then merge, split, rename and rank them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard.config import campaign_flows
from dashboard.proposals_view import group_new, shown
from dashboard.web import PREFIX, Dashboard, form_of, guard, html_error, viewer_of
from flows.model import Flow
from storage import audit, proposals

PAGE = PREFIX + "/proposals"


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the proposals routes."""

    def flow_of(request: Request) -> tuple[Flow | None, Flow | None]:
        flows = campaign_flows(app.services)
        wanted = request.query_params.get("flow") or app.config.profile_flow
        return flows.get(wanted), flows.get(app.config.profile_flow)

    @guard(app)
    async def page(request: Request) -> Response:
        flow, profile = flow_of(request)
        if flow is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)

        def load() -> Any:
            with app.db.transaction() as session:
                return shown(session, flow, profile, app.config)

        return app.render(request, "proposals.html", {
            "title": "Propositions", "active": "/proposals", "flow": flow, "found": await app.run(load),
        })  # fmt: skip

    def action(change: Callable[[Session, Any, str], dict[str, Any] | None],
               check: Callable[[str], str | None] = lambda _value: None) -> Callable[..., Any]:  # fmt: skip
        """Wrap one audited change of the proposals: a form, one transaction, back to the page."""

        @guard(app)
        async def handle(request: Request) -> Response:
            form, viewer = form_of(request), viewer_of(request)
            flow, _ = flow_of(request)
            problem = check(str(form.get("value", "")).strip())
            if problem:
                return html_error(app, request, problem)

            def save() -> bool:
                with app.db.transaction() as session:
                    detail = change(session, request, str(form.get("value", "")).strip())
                    if detail is not None:
                        audit.record(session, viewer.email, str(detail.pop("action")), **detail)
                    return detail is not None

            if flow is None or not await app.run(save):
                return html_error(app, request, "Proposition inconnue ou choix incorrect.", 404)
            return RedirectResponse(f"{PAGE}?flow={flow.id}", status_code=303)

        return handle

    def number(request: Request, name: str) -> int:
        return int(request.path_params[name])

    def group(session: Session, request: Request, _value: str) -> dict[str, Any] | None:
        flow, _ = flow_of(request)
        assert flow is not None
        created = group_new(session, flow, app.config)
        return {"action": "proposals_grouped", "flow": flow.id, "created": created}

    def merge(session: Session, request: Request, value: str) -> dict[str, Any] | None:
        source = number(request, "proposal_id")
        if not value.isdigit() or not proposals.merge(session, source, int(value)):
            return None
        return {"action": "proposal_merged", "proposal": source, "into": int(value)}

    def split(session: Session, request: Request, _value: str) -> dict[str, Any] | None:
        answer_id = number(request, "answer_id")
        made = proposals.split(session, answer_id)
        if made is None:
            return None
        return {"action": "proposal_split", "answer": answer_id, "proposal": made.id}

    def rename(session: Session, request: Request, value: str) -> dict[str, Any] | None:
        proposal_id = number(request, "proposal_id")
        if not value or not proposals.rename(session, proposal_id, value):
            return None
        return {"action": "proposal_renamed", "proposal": proposal_id}

    def rank_problem(value: str) -> str | None:
        if value and not (value.isdigit() and int(value) >= 1):
            return (f"« {value[:20]} » n'est pas un rang : écrivez un nombre (1, 2, 3...), "
                    "ou rien pour ne pas classer.")  # fmt: skip
        return None

    def rank(session: Session, request: Request, value: str) -> dict[str, Any] | None:
        proposal_id, position = number(request, "proposal_id"), int(value) if value.isdigit() else None
        if not proposals.rank(session, proposal_id, position):
            return None
        return {"action": "proposal_ranked", "proposal": proposal_id, "rank": position}

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(PAGE + "/group", action(group), methods=["POST"]),
        Route(PAGE + "/{proposal_id:int}/merge", action(merge), methods=["POST"]),
        Route(PAGE + "/{proposal_id:int}/rename", action(rename), methods=["POST"]),
        Route(PAGE + "/{proposal_id:int}/rank", action(rank, rank_problem), methods=["POST"]),
        Route(PAGE + "/split/{answer_id:int}", action(split), methods=["POST"]),
    ]
