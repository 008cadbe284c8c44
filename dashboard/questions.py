"""The questions page: every choice question's answers, with profile filters."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.config import campaign_flows
from dashboard.figures import profile_options, questions, select_people
from dashboard.web import PREFIX, Dashboard, guard


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the questions route."""

    @guard(app)
    async def page(request: Request) -> Response:
        flows = campaign_flows(app.services)
        flow_id = request.query_params.get("flow") or app.config.profile_flow
        flow = flows.get(flow_id)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                selection = select_people(session, app.config, request.query_params)
                options = profile_options(flows.get(app.config.profile_flow), app.config, session)
                shown = [] if selection.refused or flow is None else questions(
                    session, flow, selection, app.config.groups)  # fmt: skip
                return {"selection": selection, "questions": shown, "options": options}

        data = await app.run(load)
        charts = [bar_chart(q.label, [Bar(c.label, (c.count,)) for c in q.cells]) for q in data["questions"]]
        return app.render(request, "questions.html", {
            "title": "Questions", "active": "/questions", "flow": flow,
            "flows": sorted(flows), "flow_id": flow_id,
            "features": labels.FEATURES,
            "charted": list(zip(data["questions"], charts, strict=True)),
            **data,
        })  # fmt: skip

    return [Route(PREFIX + "/questions", page, methods=["GET"])]
