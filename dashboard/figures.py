"""Question figures: a flow's choice questions counted under the small-group rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dashboard import lens
from dashboard.config import DashboardConfig
from dashboard.labels import FEATURES
from flows import kinds
from flows.model import Flow, Step
from storage import queries
from storage.small_groups import Cell, Count, Removed, SmallGroups


@dataclass(frozen=True)
class Question:
    """One question's distribution as it may be shown."""

    result: str
    label: str
    multi: bool
    respondents: Count
    cells: list[Cell]


@dataclass(frozen=True)
class Selection:
    """The filter of a page (any feature of the lens), the people it selects, and why it is refused.

    `refusal` is "" when the filter may be shown.

    `wider` selects, for each criterion, the people the filter would select without it.
    """

    filters: dict[str, str]
    query: Select[Any] | None
    size: int | None
    refusal: str = ""
    wider: tuple[Select[Any] | None, ...] = ()

    @property
    def refused(self) -> bool:
        """Say whether the filter would isolate a small group."""
        return bool(self.refusal)


def question_label(step: Step) -> str:
    """Return the standard French text of a step's question, without the instructions after it.

    "… voyez-vous des différences ? Choisissez où, ou "Nulle part", puis validez." is shown to
    facilitators as the question alone; a text without a question mark is kept whole.
    """
    text = " ".join(step.say.get("fr").text.split())
    end = text.rfind("?")
    return text[: end + 1] if end > 0 else text


def choice_labels(step: Step) -> dict[str, str]:
    """Return key -> label of a step's choices."""
    return {c.key: c.label.get("fr").text for c in step.choices}


def select_people(session: Session, config: DashboardConfig, params: Mapping[str, Any]) -> Selection:
    """Read the filters of a request (every feature of the lens); refuse them if they isolate a small group.

    A filter is refused when it selects fewer than k people, or when dropping one of its
    criteria adds fewer than k people (comparing the two would show their answers).
    """
    filters = {
        feature: str(params.get(feature, "")).strip()
        for feature in lens.features(config)
        if str(params.get(feature, "")).strip()
    }
    people = lens.matching(config, filters)
    if people is None:
        return Selection(filters, None, None)
    size = queries.count_people(session, people)
    wider = {FEATURES.get(dropped, dropped): lens.matching(config, _without(filters, dropped))
             for dropped in filters}  # fmt: skip
    sizes = {criterion: queries.count_people(session, query) for criterion, query in wider.items()}
    refusal = config.groups.refusal(size, sizes)
    return Selection(filters, people, None if refusal else size, refusal, tuple(wider.values()))


def _without(filters: Mapping[str, str], dropped: str) -> dict[str, str]:
    """Return the filters without one criterion."""
    return {f: v for f, v in filters.items() if f != dropped}


def question(session: Session, flow: Flow, step: Step, people: Selection | None,
             groups: SmallGroups) -> Question:  # fmt: skip
    """Count one question's answers for the people selected (everyone when None), hiding small groups.

    A filtered table is also compared with the same table for each wider filter: what the
    filter leaves out follows by subtraction, so its small groups are hidden too.
    """
    assert step.result is not None
    multi = kinds.get(step.kind).several
    query, wider = (people.query, people.wider) if people else (None, ())
    respondents, counts = queries.distribution(session, flow.id, step.result, query, multi)
    larger = [queries.distribution(session, flow.id, step.result, w, multi) for w in wider]
    labels = choice_labels(step)
    seen = set(counts).union(*(c for _n, c in larger))
    keys = list(labels) + sorted(seen - set(labels))
    removed = [Removed({key: c[key] - counts[key] for key in keys}, n - respondents) for n, c in larger]
    rows = [(key, labels.get(key, key), counts.get(key, 0)) for key in keys]
    cells = groups.choices(rows, respondents, removed) if multi else groups.table(rows, removed)
    count = groups.count(respondents, [r.respondents for r in removed])
    return Question(step.result, question_label(step), multi, count, cells)


def questions(session: Session, flow: Flow, people: Selection | None,
              groups: SmallGroups) -> list[Question]:  # fmt: skip
    """Count every question whose answers are opinions (consent is not one)."""
    return [question(session, flow, s, people, groups) for s in flow.results()
            if kinds.get(s.kind).opinion]  # fmt: skip


def profile_options(
    flow: Flow | None, config: DashboardConfig, session: Session | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Return, per feature of the lens, the (key, label) options to filter on.

    Choice answers offer the flow's choices; free-text answers (a commune) offer only the
    values given by at least k people, so a filter list never reveals a small group. The ways
    of taking part (reading mode, audio, helped, channel) follow the profile.
    """
    options: dict[str, list[tuple[str, str]]] = {}
    steps = {s.result: s for s in flow.results()} if flow else {}
    for feature, result in lens.profile_results(config).items():
        step = steps.get(result)
        if step is not None and step.choices:
            options[feature] = list(choice_labels(step).items())
        elif session is not None:
            _total, counts = queries.distribution(session, config.profile_flow, result)
            common = sorted(v for v, n in counts.items() if config.groups.enough(n) and v)
            options[feature] = [(v, v) for v in common]
        else:
            options[feature] = []
    return {**options, **lens.mode_options()}
