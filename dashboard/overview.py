"""The overview page: participation per day, per channel and per mode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.web import PREFIX, Dashboard, guard
from storage import queries
from storage.suppression import shown


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the overview route."""

    @guard(app)
    async def page(request: Request) -> Response:
        def load() -> queries.Overview:
            with app.db.transaction() as session:
                return queries.overview(session)

        data = await app.run(load)
        k = app.config.min_group_size
        days = [(d, shown(p, k), shown(c, k)) for d, p, c in data.days]
        channels = [(labels.channel(c), shown(p, k), shown(d, k)) for c, p, d in data.channels]
        modes = [(labels.MODES.get(m, m), shown(n, k)) for m, n in data.modes]
        series = ("Personnes venues", "Questionnaires terminés")
        return app.render(request, "overview.html", {
            "title": "Vue d'ensemble", "active": "/", "k": k,
            "total": shown(data.participants, k), "completed": shown(data.completed, k),
            "days": days, "channels": channels, "modes": modes,
            "days_chart": bar_chart("Participation par jour",
                                    [Bar(d, (p, c)) for d, p, c in days], series),
            "channels_chart": bar_chart("Participation par canal",
                                        [Bar(c, (p, d)) for c, p, d in channels], series),
            "modes_chart": bar_chart("Personnes par mode", [Bar(m, (n,)) for m, n in modes]),
        })  # fmt: skip

    return [Route(PREFIX + "/", page, methods=["GET"], name="dashboard_overview")]
