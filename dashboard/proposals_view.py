"""Proposals as a facilitator sees them: counts, groups and quotes under the small-group rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dashboard import labels
from dashboard.config import DashboardConfig
from dashboard.figures import choice_labels
from dashboard.proposals import cluster
from dashboard.quotes import representative
from dashboard.themes import text_results
from dashboard.web import Dashboard
from flows.model import Flow
from storage import proposals, theme_corrections
from storage.small_groups import Cell, Count

MAX_TEXTS = 2000  # clustered at once: the distance matrix grows with the square


@dataclass(frozen=True)
class Shown:
    """One proposal: its people, who said it by profile, typical quotes, and its texts."""

    item: proposals.Listed
    title: str
    count: Count
    groups: list[tuple[str, list[Cell]]]
    quotes: list[str]


def group_new(session: Session, flow: Flow, config: DashboardConfig) -> int:
    """Cluster the free texts that belong to no proposal yet into new proposals; return how many."""
    results = text_results(flow, config.profile_results.values())
    texts = theme_corrections.free_texts(session, flow.id, results, limit=MAX_TEXTS)
    taken = proposals.members(session, [t.answer_id for t in texts])
    fresh = [t for t in texts if t.answer_id not in taken]
    clusters = cluster([t.text for t in fresh])
    for indices in clusters:
        proposals.create(session, flow.id, [fresh[i].answer_id for i in indices])
    return len(clusters)


def shown(session: Session, flow: Flow, profile: Flow | None, config: DashboardConfig) -> list[Shown]:
    """Return a flow's proposals, each count and group hidden when the rule says so."""
    items = proposals.listed(session, flow.id)
    people = set().union(*(p.people for p in items)) if items else set()
    results = config.profile_results
    answers = proposals.profiles(session, config.profile_flow, list(results.values()), people)
    steps = {s.result: s for s in profile.results()} if profile else {}
    found = []
    for item in items:
        count = config.groups.count(len(item.people))
        groups = []
        for feature, result in results.items():
            names = choice_labels(steps[result]) if result in steps and steps[result].choices else {}
            tally: dict[str, int] = {}
            for person in item.people:
                value = answers[result].get(person)
                if value:
                    tally[value] = tally.get(value, 0) + 1
            rows = [(v, names.get(v, v), n) for v, n in sorted(tally.items())]
            groups.append((labels.FEATURES.get(feature, feature), config.groups.table(rows)))
        quotes = [] if count.hidden else representative([t.text for t in item.texts], 3)
        typical = quotes or representative([t.text for t in item.texts], 1) or [item.texts[0].text]
        found.append(Shown(item, item.title or typical[0], count, groups, quotes))
    return found


async def for_report(app: Dashboard, flow: Flow) -> list[Shown]:
    """Return the proposals the workshop report lists: the ranked ones, else the five most said."""

    def load() -> list[Shown]:
        with app.db.transaction() as session:
            found = shown(session, flow, None, app.config)
        shown_ = [s for s in found if not s.count.hidden or s.item.title]  # no small group's words
        ranked = [s for s in shown_ if s.item.rank is not None]
        return ranked or [s for s in shown_ if not s.count.hidden][:5]

    return await app.run(load)
