"""The report's opening: what the people who rarely or never take part said, beside the others.

Their group is the lens filter "participation: rarely" added to the report's own filter, so
it is refused like any filter that would isolate a small group. The others' figures are the
report's figures minus theirs: a figure hidden in either table is hidden there too, so
nothing is shown that the two filtered pages would not show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dashboard import lens
from dashboard.config import DashboardConfig
from dashboard.divides import opinion_steps
from dashboard.figures import Question, Selection, question, select_people
from dashboard.themes import Theme, themes
from flows.model import Flow
from storage.small_groups import Count, SmallGroups


@dataclass(frozen=True)
class Row:
    """One answer: how many of the people who rarely take part gave it, and how many others."""

    label: str
    rarely: Count
    others: Count


@dataclass(frozen=True)
class Beside:
    """One opinion question, the people who rarely take part beside the others."""

    question: str
    multi: bool
    rarely: Count
    others: Count
    rows: list[Row]


@dataclass(frozen=True)
class Rarely:
    """The opening section: their free texts by theme, then their answers beside the others'."""

    refusal: str
    size: Count
    themes: list[Theme]
    questions: list[Beside]


def _minus(whole: Count, part: Count, groups: SmallGroups) -> Count:
    """Return whole minus part, hidden when either is (or when the difference is a small group)."""
    if whole.value is None or part.value is None:
        return Count(None)
    return groups.count(whole.value - part.value)


def beside(everyone: Question, rarely: Question, groups: SmallGroups) -> Beside:
    """Set a question's answers of the people who rarely take part beside everyone else's."""
    theirs = {cell.key: cell.count for cell in rarely.cells}
    rows = [Row(cell.label, theirs.get(cell.key, Count(None)),
                _minus(cell.count, theirs.get(cell.key, Count(None)), groups))
            for cell in everyone.cells]  # fmt: skip
    others = _minus(everyone.respondents, rarely.respondents, groups)
    return Beside(everyone.label, everyone.multi, rarely.respondents, others, rows)


def opening(session: Session, flow: Flow, config: DashboardConfig, people: Selection | None) -> Rarely | None:
    """Gather what the people who rarely or never take part said (None when the report is filtered on it)."""
    filters = dict(people.filters) if people else {}
    if lens.PARTICIPATION in filters:
        return None
    group = select_people(session, config, {**filters, lens.PARTICIPATION: config.rarely_key})
    groups = config.groups
    if group.refused:
        return Rarely(group.refusal, Count(None, groups.k), [], [])
    said = themes(session, flow, group, groups, profile=config.profile_results.values())
    shown = [t for t in said if not t.count.hidden]
    asked = [(s, question(session, flow, s, people, groups)) for s in opinion_steps(flow, config)]
    rows = [beside(everyone, question(session, flow, s, group, groups), groups)
            for s, everyone in asked if everyone.respondents.value != 0]  # fmt: skip
    return Rarely("", groups.count(group.size or 0), shown, rows)
