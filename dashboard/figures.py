"""Question figures: a flow's choice questions counted under the small-group rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dashboard.config import DashboardConfig
from flows import kinds
from flows.model import Flow, Step
from storage import queries
from storage.suppression import Cell, shown, suppress


@dataclass(frozen=True)
class Question:
    """One question's distribution as it may be shown."""

    result: str
    label: str
    multi: bool
    respondents: int | None
    cells: list[Cell]


@dataclass(frozen=True)
class Selection:
    """The profile filter of a page and the people it selects."""

    filters: dict[str, str]
    people: Select[Any] | None
    size: int | None
    too_small: bool


def question_label(step: Step) -> str:
    """Return the standard French text of a step's question."""
    return step.say.get("fr").text


def choice_labels(step: Step) -> dict[str, str]:
    """Return key -> label of a step's choices."""
    return {c.key: c.label.get("fr").text for c in step.choices}


def select_people(session: Session, config: DashboardConfig, params: Mapping[str, Any]) -> Selection:
    """Read the profile filters of a request and count the people they select."""
    filters = {
        feature: str(params.get(feature, "")).strip()
        for feature in config.profile_results
        if str(params.get(feature, "")).strip()
    }
    by_result = {config.profile_results[f]: v for f, v in filters.items()}
    people = queries.people_matching(config.profile_flow, by_result)
    if people is None:
        return Selection(filters, None, None, False)
    size = queries.count_people(session, people)
    k = config.min_group_size
    return Selection(filters, people, shown(size, k), 0 < size < k or size == 0)


def question(session: Session, flow: Flow, step: Step, people: Select[Any] | None, k: int) -> Question:
    """Count one question's answers, hiding small groups."""
    assert step.result is not None
    multi = kinds.get(step.kind).several
    respondents, counts = queries.distribution(session, flow.id, step.result, people, multi)
    labels = choice_labels(step)
    keys = list(labels) + sorted(set(counts) - set(labels))
    rows = [(key, labels.get(key, key), counts.get(key, 0)) for key in keys]
    cells = suppress(rows, k, exclusive=not multi)
    return Question(step.result, question_label(step), multi, shown(respondents, k), cells)


def questions(session: Session, flow: Flow, people: Select[Any] | None, k: int) -> list[Question]:
    """Count every question whose answers are opinions (consent is not one)."""
    return [question(session, flow, s, people, k) for s in flow.results() if kinds.get(s.kind).opinion]


def profile_options(
    flow: Flow | None, config: DashboardConfig, session: Session | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Return, per profile feature, the (key, label) options to filter on.

    Choice answers offer the flow's choices; free-text answers (a commune) offer only the
    values given by at least k people, so a filter list never reveals a small group.
    """
    options: dict[str, list[tuple[str, str]]] = {}
    steps = {s.result: s for s in flow.results()} if flow else {}
    for feature, result in config.profile_results.items():
        step = steps.get(result)
        if step is not None and step.choices:
            options[feature] = list(choice_labels(step).items())
        elif session is not None:
            _total, counts = queries.distribution(session, config.profile_flow, result)
            common = sorted(v for v, n in counts.items() if n >= config.min_group_size and v)
            options[feature] = [(v, v) for v in common]
        else:
            options[feature] = []
    return options
