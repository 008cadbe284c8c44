"""Free-text answers grouped by theme, with counts and representative quotes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.config import campaign_flows
from dashboard.figures import Selection, profile_options, select_people
from dashboard.quotes import representative
from dashboard.web import PREFIX, Dashboard, guard
from flows import kinds
from flows.model import Flow
from storage import queries
from storage.small_groups import Count, SmallGroups


@dataclass(frozen=True)
class Theme:
    """One theme of the free-text answers, as it may be shown."""

    key: str
    label: str
    count: Count
    quotes: list[str]


def text_results(flow: Flow, profile: Collection[str] = ()) -> list[str]:
    """Return the results of a flow's free-text steps, profile answers (a commune) excepted."""
    return [s.result for s in flow.results()
            if kinds.get(s.kind).free_text and s.result and s.result not in profile]  # fmt: skip


def themes(
    session: Session,
    flow: Flow,
    people: Selection | None,
    groups: SmallGroups,
    quotes: int = 3,
    profile: Collection[str] = (),
) -> list[Theme]:
    """Rank the themes by people (everyone when None); small themes keep their quotes hidden too.

    A person may write in several themes and no total is shown, so each theme stands alone,
    compared only with the same theme under each wider filter.
    """
    results = text_results(flow, profile)
    if not results:
        return []
    query, wider = (people.query, people.wider) if people else (None, ())
    counts = queries.theme_counts(session, flow.id, results, query)
    larger = [queries.theme_counts(session, flow.id, results, w) for w in wider]
    ranked = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        visible = groups.count(n, [c[key] - n for c in larger])
        picked = []
        if not visible.hidden and quotes:
            picked = representative(queries.theme_texts(session, flow.id, results, key, query),
                                    quotes)  # fmt: skip
        ranked.append(Theme(key, labels.theme(key), visible, picked))
    return ranked


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the themes route."""

    @guard(app)
    async def page(request: Request) -> Response:
        flows = campaign_flows(app.services)
        flow = flows.get(request.query_params.get("flow") or app.config.profile_flow)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                selection = select_people(session, app.config, request.query_params)
                options = profile_options(flows.get(app.config.profile_flow), app.config, session)
                found = [] if selection.refused or flow is None else themes(
                    session, flow, selection, app.config.groups,
                    profile=app.config.profile_results.values())  # fmt: skip
                return {"selection": selection, "themes": found, "options": options}

        data = await app.run(load)
        chart = bar_chart("Personnes par thème", [Bar(t.label, (t.count,)) for t in data["themes"]])
        return app.render(request, "themes.html", {
            "title": "Thèmes des réponses libres", "active": "/themes", "flow": flow,
            "flows": sorted(flows), "flow_id": flow.id if flow else "", "chart": chart,
            "features": labels.FEATURES, **data,
        })  # fmt: skip

    return [Route(PREFIX + "/themes", page, methods=["GET"])]
