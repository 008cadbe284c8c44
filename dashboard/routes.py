"""Every route of the facilitators' dashboard, mounted under /facilitator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from dashboard import (
    admin,
    corrections,
    exports,
    feedback,
    heard,
    listening,
    login,
    overview,
    panel,
    proposals_page,
    questions,
    recommendations,
    report,
    report_back,
    round_two,
    safety,
    themes,
    workshop_page,
)
from dashboard.web import PREFIX, Dashboard

STATIC = Path(__file__).with_name("static")


def routes(services: Any) -> list[BaseRoute]:
    """Return the dashboard's routes for services with .db, .settings and .crypto."""
    app = Dashboard(services)
    pages: list[BaseRoute] = []
    modules = (login, overview, questions, themes, safety, heard, exports, report, panel,
               feedback, round_two, admin, corrections, proposals_page, listening,
               recommendations, report_back, workshop_page)  # fmt: skip
    for module in modules:
        pages.extend(module.routes(app))
    pages.append(Mount(PREFIX + "/static", StaticFiles(directory=str(STATIC)), name="dashboard_static"))
    return pages
