"""The overview page: participation per day, per channel and per mode, through the lens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.config import campaign_flows
from dashboard.figures import profile_options, select_people
from dashboard.web import PREFIX, Dashboard, guard
from storage import queries
from storage.small_groups import Count, SmallGroups

Rows = Sequence[tuple[str, int, int]]


def breakdown(groups: SmallGroups, rows: Rows, wider: Sequence[Rows] = ()) -> list[tuple[str, Count, Count]]:
    """Hide the small groups of a (label, came, completed) breakdown, column by column.

    Each column adds up to a total the page shows, so each is suppressed as one table; what
    each wider filter adds to it follows by subtraction, so it obeys the same rule.
    """
    labels = [label for label, _p, _c in rows]
    more = [{label: (p, c) for label, p, c in table} for table in wider]
    came_added = [[m.get(label, (0, 0))[0] - p for label, p, _c in rows] for m in more]
    done_added = [[m.get(label, (0, 0))[1] - c for label, _p, c in rows] for m in more]
    came = groups.column([p for _label, p, _c in rows], came_added, keys=labels)
    done = groups.column([c for _label, _p, c in rows], done_added, keys=labels)
    return [(label, p, c) for (label, _p, _c), p, c in zip(rows, came, done, strict=True)]


def figures(groups: SmallGroups, data: queries.Overview, wider: Sequence[queries.Overview]) -> dict[str, Any]:
    """Return the overview's figures under the small-group rule, compared with each wider filter."""

    def total(pick: Any) -> Count:
        return groups.count(pick(data), [pick(w) - pick(data) for w in wider])

    days = breakdown(groups, data.days, [w.days for w in wider])
    channels = breakdown(groups, [(labels.channel(c), p, d) for c, p, d in data.channels],
                         [[(labels.channel(c), p, d) for c, p, d in w.channels] for w in wider])  # fmt: skip
    # A person may use several modes: each is told against the total of participants.
    values = [n for _m, n in data.modes]
    removed = [([n - v for (_m, n), v in zip(w.modes, values, strict=True)],
                w.participants - data.participants) for w in wider]  # fmt: skip
    by_mode = groups.each_of(values, data.participants, removed)
    modes = [(labels.MODES.get(m, m), n) for (m, _n), n in zip(data.modes, by_mode, strict=True)]
    return {
        "total": total(lambda o: o.participants), "agreed": total(lambda o: o.agreed),
        "completed": total(lambda o: o.completed), "stopped": total(lambda o: o.agreed - o.completed),
        "days": days, "channels": channels, "modes": modes,
    }  # fmt: skip


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the overview route."""

    @guard(app)
    async def page(request: Request) -> Response:
        flows = campaign_flows(app.services)

        def load() -> dict[str, Any]:
            with app.db.transaction() as session:
                selection = select_people(session, app.config, request.query_params)
                options = profile_options(flows.get(app.config.profile_flow), app.config, session)
                if selection.refused:
                    return {"selection": selection, "options": options}
                data = queries.overview(session, selection.query)
                wider = [queries.overview(session, w) for w in selection.wider]
                return {"selection": selection, "options": options,
                        **figures(app.config.groups, data, wider)}  # fmt: skip

        shown = await app.run(load)
        series = ("Personnes venues", "Questionnaires terminés")
        charts = {} if shown["selection"].refused else {
            "days_chart": bar_chart("Participation par jour",
                                    [Bar(d, (p, c)) for d, p, c in shown["days"]], series),
            "channels_chart": bar_chart("Participation par canal",
                                        [Bar(c, (p, d)) for c, p, d in shown["channels"]], series),
            "modes_chart": bar_chart("Personnes par mode", [Bar(m, (n,)) for m, n in shown["modes"]]),
        }  # fmt: skip
        return app.render(request, "overview.html", {
            "title": "Vue d'ensemble", "active": "/", "features": labels.FEATURES, **shown, **charts,
        })  # fmt: skip

    return [Route(PREFIX + "/", page, methods=["GET"], name="dashboard_overview")]
