"""The safety queue page, with its "handled" action."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.web import PREFIX, Dashboard, guard, html_error, viewer_of
from storage import audit, safety_queue


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the safety queue routes."""

    @guard(app)
    async def page(request: Request) -> Response:
        def load() -> dict[str, Any]:
            with app.db.transaction() as session:

                def view(flags: list[Any]) -> list[dict[str, Any]]:
                    return [{"id": f.id, "at": f.created_at.strftime("%d/%m/%Y %H:%M"),
                             "channel": labels.channel(f.channel), "step": f.step or "",
                             "excerpt": f.excerpt, "by": f.handled_by or "",
                             "handled": f.handled_at.strftime("%d/%m/%Y %H:%M")
                             if f.handled_at else ""} for f in flags]  # fmt: skip

                return {"waiting": view(safety_queue.waiting(session)),
                        "handled": view(safety_queue.handled(session))}  # fmt: skip

        data = await app.run(load)
        return app.render(request, "safety.html", {"title": "Signalements", "active": "/safety", **data})

    @guard(app)
    async def handle(request: Request) -> Response:
        viewer = viewer_of(request)
        try:
            flag_id = int(str(request.path_params["flag_id"]))
        except ValueError:
            return html_error(app, request, "Signalement inconnu.", 404)

        def apply() -> bool:
            with app.db.transaction() as session:
                done = safety_queue.mark_handled(session, flag_id, viewer.email)
                if done:
                    audit.record(session, viewer.email, "safety_handled", flag=flag_id)
                return done

        if not await app.run(apply):
            return html_error(app, request, "Ce signalement est inconnu ou déjà traité.", 404)
        return RedirectResponse(PREFIX + "/safety", status_code=303)

    return [
        Route(PREFIX + "/safety", page, methods=["GET"]),
        Route(PREFIX + "/safety/{flag_id}/handled", handle, methods=["POST"]),
    ]
