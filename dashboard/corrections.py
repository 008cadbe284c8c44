"""Free texts a facilitator reads and re-themes, and the corrections as Rasa training examples."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.config import campaign_flows
from dashboard.themes import text_results
from dashboard.web import PREFIX, SECURITY_HEADERS, Dashboard, form_of, guard, html_error, viewer_of
from storage import audit, theme_corrections

PAGE = PREFIX + "/themes/texts"
CHOICES = [(key, label) for key, label in labels.THEMES.items() if key]


def rasa_yaml(examples: dict[str, list[str]]) -> str:
    """Write corrected texts in the shape of nlu/rasa/data/nlu.yml, one intent per theme."""
    lines = ['version: "3.1"', "nlu:"]
    for theme in sorted(examples):
        lines += [f"- intent: {theme}", "  examples: |"]
        lines += [f"    - {' '.join(text.split())}" for text in examples[theme]]
    return "\n".join(lines) + "\n"


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the routes of the theme corrections."""

    @guard(app)
    async def page(request: Request) -> Response:
        flows = campaign_flows(app.services)
        flow = flows.get(request.query_params.get("flow") or app.config.profile_flow)
        theme = request.query_params.get("theme")
        if flow is None:
            return html_error(app, request, "Questionnaire inconnu.", 404)
        results = text_results(flow, app.config.profile_results.values())

        def load() -> list[theme_corrections.FreeText]:
            with app.db.transaction() as session:
                return theme_corrections.free_texts(session, flow.id, results, theme)

        return app.render(request, "theme_texts.html", {
            "title": "Corriger les thèmes", "active": "/themes", "flow": flow, "texts": await app.run(load),
            "choices": CHOICES, "theme": theme, "label": labels.theme,
        })  # fmt: skip

    @guard(app)
    async def correct(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        theme, answer_id = str(form.get("theme", "")), int(request.path_params["answer_id"])
        if theme not in dict(CHOICES):
            return html_error(app, request, "Choisissez un thème de la liste.")

        def save() -> bool:
            with app.db.transaction() as session:
                changed = theme_corrections.correct(session, answer_id, theme, viewer.email)
                if changed is not None:
                    audit.record(session, viewer.email, "theme_corrected", answer=answer_id,
                                 before=changed[0], after=changed[1])  # fmt: skip
                return changed is not None

        if not await app.run(save):
            return html_error(app, request, "Réponse inconnue.", 404)
        back = str(form.get("back", "")) or PAGE
        return RedirectResponse(back if back.startswith(PREFIX + "/") else PAGE, status_code=303)

    @guard(app)
    async def export(request: Request) -> Response:
        viewer = viewer_of(request)

        def build() -> str:
            with app.db.transaction() as session:
                examples = theme_corrections.examples(session)
                audit.record(session, viewer.email, "theme_corrections_exported",
                             examples=sum(len(texts) for texts in examples.values()))  # fmt: skip
                return rasa_yaml(examples)

        headers = {**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="corrections-nlu.yml"'}
        return Response(await app.run(build), media_type="application/x-yaml", headers=headers)

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(PAGE + "/{answer_id:int}", correct, methods=["POST"]),
        Route(PREFIX + "/themes/corrections.yml", export, methods=["GET"]),
    ]
