"""Question figures: a flow's choice questions counted under the small-group rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dashboard.config import DashboardConfig
from dashboard.labels import FEATURES
from flows.model import Flow, Step
from storage import queries
from storage.small_groups import Cell, Count, SmallGroups

COUNTED_KINDS = ("choice", "multi", "scale", "yesno")  # consent is not an opinion


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
    """The profile filter of a page, the people it selects, and why it is refused ("" if not)."""

    filters: dict[str, str]
    people: Select[Any] | None
    size: int | None
    refusal: str = ""

    @property
    def refused(self) -> bool:
        """Say whether the filter would isolate a small group."""
        return bool(self.refusal)


def question_label(step: Step) -> str:
    """Return the standard French text of a step's question."""
    return step.say.get("fr").text


def choice_labels(step: Step) -> dict[str, str]:
    """Return key -> label of a step's choices."""
    return {c.key: c.label.get("fr").text for c in step.choices}


def select_people(session: Session, config: DashboardConfig, params: Mapping[str, Any]) -> Selection:
    """Read the profile filters of a request; refuse them if they isolate a small group.

    A filter is refused when it selects fewer than k people, or when dropping one of its
    criteria adds fewer than k people (comparing the two would show their answers).
    """
    filters = {
        feature: str(params.get(feature, "")).strip()
        for feature in config.profile_results
        if str(params.get(feature, "")).strip()
    }
    people = _matching(config, filters)
    if people is None:
        return Selection(filters, None, None)
    size = queries.count_people(session, people)
    wider = {
        FEATURES.get(feature, feature): queries.count_people(
            session, _matching(config, {f: v for f, v in filters.items() if f != feature}))
        for feature in filters
    }  # fmt: skip
    refusal = config.groups.refusal(size, wider)
    return Selection(filters, people, None if refusal else size, refusal)


def _matching(config: DashboardConfig, filters: Mapping[str, str]) -> Select[Any] | None:
    """Select the people whose profile answers match filters keyed by feature."""
    by_result = {config.profile_results[f]: v for f, v in filters.items()}
    return queries.people_matching(config.profile_flow, by_result)


def question(session: Session, flow: Flow, step: Step, people: Select[Any] | None,
             groups: SmallGroups) -> Question:  # fmt: skip
    """Count one question's answers, hiding small groups."""
    assert step.result is not None
    multi = step.kind == "multi"
    respondents, counts = queries.distribution(session, flow.id, step.result, people, multi)
    labels = choice_labels(step)
    keys = list(labels) + sorted(set(counts) - set(labels))
    rows = [(key, labels.get(key, key), counts.get(key, 0)) for key in keys]
    cells = groups.choices(rows, respondents) if multi else groups.table(rows)
    return Question(step.result, question_label(step), multi, groups.count(respondents), cells)


def questions(session: Session, flow: Flow, people: Select[Any] | None, k: SmallGroups) -> list[Question]:
    """Count every choice question of a flow under the small-group rule k."""
    return [question(session, flow, s, people, k) for s in flow.results() if s.kind in COUNTED_KINDS]


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
            common = sorted(v for v, n in counts.items() if config.groups.enough(n) and v)
            options[feature] = [(v, v) for v in common]
        else:
            options[feature] = []
    return options
