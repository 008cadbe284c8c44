"""The overview page: participation per day, per channel and per mode."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.web import PREFIX, Dashboard, guard
from storage import queries
from storage.small_groups import Count, SmallGroups


def breakdown(groups: SmallGroups, rows: Sequence[tuple[str, int, int]]) -> list[tuple[str, Count, Count]]:
    """Hide the small groups of a (label, came, completed) breakdown, column by column.

    Each column adds up to a total the page shows, so each is suppressed as one table.
    """
    labels = [label for label, _p, _c in rows]
    came = groups.column([p for _label, p, _c in rows], keys=labels)
    done = groups.column([c for _label, _p, c in rows], keys=labels)
    return [(label, p, c) for (label, _p, _c), p, c in zip(rows, came, done, strict=True)]


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the overview route."""

    @guard(app)
    async def page(request: Request) -> Response:
        def load() -> queries.Overview:
            with app.db.transaction() as session:
                return queries.overview(session)

        data = await app.run(load)
        groups = app.config.groups
        days = breakdown(groups, data.days)
        channels = breakdown(groups, [(labels.channel(c), p, d) for c, p, d in data.channels])
        # A person may use several modes: each is told against the total of participants.
        by_mode = groups.each_of([n for _m, n in data.modes], data.participants)
        modes = [(labels.MODES.get(m, m), n) for (m, _n), n in zip(data.modes, by_mode, strict=True)]
        series = ("Personnes venues", "Questionnaires terminés")
        return app.render(request, "overview.html", {
            "title": "Vue d'ensemble", "active": "/",
            "total": groups.count(data.participants), "agreed": groups.count(data.agreed),
            "completed": groups.count(data.completed),
            "stopped": groups.count(data.agreed - data.completed),
            "days": days, "channels": channels, "modes": modes,
            "days_chart": bar_chart("Participation par jour",
                                    [Bar(d, (p, c)) for d, p, c in days], series),
            "channels_chart": bar_chart("Participation par canal",
                                        [Bar(c, (p, d)) for c, p, d in channels], series),
            "modes_chart": bar_chart("Personnes par mode", [Bar(m, (n,)) for m, n in modes]),
        })  # fmt: skip

    return [Route(PREFIX + "/", page, methods=["GET"], name="dashboard_overview")]
