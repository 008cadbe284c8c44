"""Who we heard: respondents' profiles against the territory's reference shares."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dashboard import labels
from dashboard.charts import Bar, bar_chart
from dashboard.config import DEFAULT_REFERENCE, DEFAULT_REFERENCE_SOURCE, DashboardConfig, campaign_flows
from dashboard.figures import choice_labels
from dashboard.web import PREFIX, Dashboard, form_of, guard, viewer_of
from flows.model import Flow
from storage import audit, queries, reference
from storage.small_groups import Count

UNDER = 0.8  # a group heard at under 80 % of its weight in the population is "missing"


@dataclass(frozen=True)
class Group:
    """One value of a feature: people heard, their share, the population's share."""

    feature: str
    value: str
    label: str
    heard: Count
    heard_share: float | None
    population_share: float

    @property
    def heard_percent(self) -> Count:
        """Return the share of the people heard, in whole percent (hidden with the count)."""
        return Count(None) if self.heard_share is None else Count(percent(self.heard_share))

    @property
    def population_percent(self) -> int:
        """Return the share of the population, in whole percent."""
        return percent(self.population_share)

    @property
    def ratio(self) -> float | None:
        """Return heard share / population share (None when hidden)."""
        if self.heard_share is None or not self.population_share:
            return None
        return self.heard_share / self.population_share


def compare(session: Session, config: DashboardConfig, flow: Flow | None,
            ref: reference.Reference) -> dict[str, list[Group]]:  # fmt: skip
    """Compare each reference feature with the respondents' answers.

    Every answer is counted and hidden as on the questions page (the same table), so the
    two pages together show nothing more; shares are of all the people who answered.
    """
    steps = {s.result: s for s in flow.results()} if flow else {}
    out: dict[str, list[Group]] = {}
    for feature, population in ref.rows.items():
        result = config.profile_results.get(feature, feature)
        names = choice_labels(steps[result]) if result in steps else {}
        heard_total, counts = queries.distribution(session, config.profile_flow, result)
        pop_total = sum(population.values()) or 1
        keys = list(population) + sorted(set(counts) - set(population))
        cells = config.groups.table([(v, names.get(v, v), counts.get(v, 0)) for v in keys])
        out[feature] = [
            Group(feature, c.key, c.label, c.count,
                  None if c.count.value is None or not heard_total else c.count.value / heard_total,
                  population[c.key] / pop_total)
            for c in cells if c.key in population
        ]  # fmt: skip
    return out


def missing(groups: dict[str, list[Group]]) -> list[Group]:
    """Return the groups heard well under their weight, the most missing first.

    A group hidden only to protect another one is not missing: it may be large.
    """
    found = [g for gs in groups.values() for g in gs if g.ratio is not None and g.ratio < UNDER]
    found += [g for gs in groups.values() for g in gs if g.heard.small and g.population_share > 0.05]
    return sorted(found, key=lambda g: g.ratio if g.ratio is not None else 0.0)


def source_label(config: DashboardConfig) -> str:
    """Name the shipped default reference by its census table."""
    return DEFAULT_REFERENCE_SOURCE if config.reference_csv == DEFAULT_REFERENCE else ""


def percent(share: float) -> int:
    """Return a share as a whole percentage."""
    return round(100 * share)


def routes(app: Dashboard) -> list[BaseRoute]:
    """Return the who-we-heard routes."""

    def render(request: Request, message: str = "", error: str = "", status: int = 200) -> Response:
        flow = campaign_flows(app.services).get(app.config.profile_flow)
        with app.db.transaction() as session:
            ref = reference.load(session, app.config.reference_csv, source_label(app.config))
            groups = compare(session, app.config, flow, ref)
        charts = {
            feature: bar_chart(f"{labels.FEATURES.get(feature, feature)} : entendues, population",
                               [Bar(g.label, (g.heard_percent, Count(g.population_percent)))
                                for g in gs], ("Personnes entendues (%)", "Population (%)"))
            for feature, gs in groups.items()
        }  # fmt: skip
        return app.render(request, "heard.html", {
            "title": "Qui avons-nous entendu ?", "active": "/heard", "groups": groups,
            "charts": charts, "missing": missing(groups), "source": ref.source,
            "features": labels.FEATURES, "message": message, "error": error,
        }, status)  # fmt: skip

    @guard(app)
    async def page(request: Request) -> Response:
        return await app.run(render, request)

    @guard(app)
    async def upload(request: Request) -> Response:
        form, viewer = form_of(request), viewer_of(request)
        upload = form.get("file")
        source = str(form.get("source", "")).strip()
        if not isinstance(upload, UploadFile) or not source:
            return await app.run(render, request, "", "Choisissez un fichier CSV et indiquez sa source.", 400)
        raw = await upload.read(512 * 1024 + 1)
        try:
            if len(raw) > 512 * 1024:
                raise reference.ReferenceError("le fichier dépasse 512 Ko")
            parsed = reference.parse(raw.decode("utf-8"), source)
        except UnicodeDecodeError:
            return await app.run(render, request, "", "Le fichier doit être en UTF-8.", 400)
        except reference.ReferenceError as exc:
            return await app.run(render, request, "", f"Fichier refusé : {exc}.", 400)

        def store() -> None:
            with app.db.transaction() as session:
                reference.replace(session, parsed)
                audit.record(session, viewer.email, "reference_uploaded",
                             features=sorted(parsed.rows), source=source[:100])  # fmt: skip

        await app.run(store)
        return await app.run(render, request, "Les chiffres de référence ont été remplacés.")

    return [
        Route(PREFIX + "/heard", page, methods=["GET"]),
        Route(PREFIX + "/heard", upload, methods=["POST"]),
    ]
