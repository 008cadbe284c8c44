"""Round two's analysis as the facilitators read it: groups, common ground, what divides, plots.

Groups of fewer than k people (storage/small_groups.py) are not shown: not their members on
the plot, not their figures. Every group still counts in the common ground.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from dashboard.charts import Bar, bar_chart
from dashboard.deliberation import (
    AGREE,
    DISAGREE,
    PASS,
    Opinions,
    Tally,
    Vote,
    analyse,
    common_ground,
    divisive,
    representative,
)
from storage import round_two
from storage.small_groups import Count, SmallGroups

VALUES = {"agree": AGREE, "disagree": DISAGREE, "pass": PASS}
# Colours with at least 3:1 contrast against white, each with its own marker shape.
COLOURS = ("#1d4f91", "#b3541e", "#2e7d32", "#6a1b9a", "#8d6e00")
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
PLOT_SIZE = 420
PLOT_POINTS = 2000  # at most this many people are drawn (a regular sample of each group)


@dataclass(frozen=True)
class Share:
    """A statement and how much a set of groups agrees with it (per cent, per group shown)."""

    statement: str
    easy: str
    agree: tuple[int, ...]  # per shown group
    score: float


@dataclass(frozen=True)
class Group:
    """An opinion group as shown: its name, size and the statements it agrees with more."""

    name: str
    size: Count
    colour: str
    shape: str
    representative: tuple[Share, ...]

    @property
    def marker(self) -> Markup:
        """Draw the group's marker, as on the plot, for its heading."""
        return Markup(f'<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">'
                      f"{_point(self.shape, 6, 6, self.colour)}</svg>")  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """Everything the analysis page, the report and the easy-read synthesis show."""

    voters: Count
    groups: tuple[Group, ...]
    hidden_groups: int
    silhouette: float  # how well the groups stand apart, from -1 to 1
    common: tuple[Share, ...]
    divisive: tuple[Share, ...]
    plot: Markup
    bars: Markup


def _percent(tally: Tally) -> int:
    """Return the share of a tally that agrees, in whole per cent."""
    return round(100 * tally.agree / tally.seen) if tally.seen else 0


def _point(shape: str, x: float, y: float, colour: str) -> str:
    """Draw one marker."""
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 4:.1f}l4 7h-8z" fill="{colour}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 4:.1f}l4 4l-4 4l-4-4z" fill="{colour}"/>'
    return f'<path d="M{x - 3:.1f} {y - 3:.1f}l6 6m0-6l-6 6" stroke="{colour}" stroke-width="2"/>'


def scatter(opinions: Opinions, shown: list[tuple[int, Group]]) -> Markup:
    """Draw the people of the shown groups on the first two components, one colour and shape each."""
    points = opinions.points
    span = max(float(abs(points).max()), 1e-9) if len(points) else 1.0
    half = PLOT_SIZE / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {PLOT_SIZE} '
        f'{PLOT_SIZE}" width="100%" preserveAspectRatio="xMinYMin meet">',
        "<title>Les personnes selon leurs votes, par groupe d'opinion (les groupes sont décrits "
        "dans le tableau)</title>",
        f'<line x1="0" y1="{half}" x2="{PLOT_SIZE}" y2="{half}" class="chart-axis" stroke="#767676"/>',
        f'<line x1="{half}" y1="0" x2="{half}" y2="{PLOT_SIZE}" class="chart-axis" stroke="#767676"/>',
    ]
    total = sum(int((opinions.labels == g).sum()) for g, _ in shown)
    step = max(1, math.ceil(total / PLOT_POINTS))  # the same sample of every group
    for group, view in shown:
        for x, y in points[opinions.labels == group][::step].tolist():
            parts.append(
                _point(view.shape, half + x / span * (half - 8), half - y / span * (half - 8), view.colour)
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def statement_bars(opinions: Opinions, texts: dict[int, str], groups: SmallGroups) -> Markup:
    """Draw agree and disagree counts per statement (small counts hidden as the rule says)."""
    bars = [
        Bar(texts[sid], (groups.count(t.agree), groups.count(t.disagree)))
        for sid, t in zip(opinions.statements, opinions.overall, strict=True)
    ]
    return bar_chart("Votes par idée", bars, ("D'accord", "Pas d'accord"))


def outcome(session: Session, min_votes: int, groups: SmallGroups) -> Outcome | None:
    """Analyse the votes on approved statements; None while there are too few to group."""
    statements = {s.id: s for s in round_two.listed(session, "approved")}
    votes = [Vote(p, s, VALUES[v]) for p, s, v in round_two.votes(session)]
    opinions = analyse(votes, min_votes) if votes else None
    if opinions is None:
        return None
    texts = {sid: statements[sid].text for sid in opinions.statements}
    visible = [g for g in opinions.groups if not groups.small(opinions.size(g))]

    def share(index: int, score: float) -> Share:
        sid = opinions.statements[index]
        agree = tuple(_percent(opinions.tallies[g][index]) for g in visible)
        return Share(statements[sid].text, statements[sid].easy, agree, score)

    shown = [
        (g, Group(f"Groupe {chr(ord('A') + n)}", groups.count(opinions.size(g)), COLOURS[n % 5],
                  SHAPES[n % 5], tuple(share(i, r) for i, r in representative(opinions, g))))
        for n, g in enumerate(visible)
    ]  # fmt: skip
    every = list(opinions.groups)
    return Outcome(
        voters=groups.count(len({v.participant for v in votes})),
        groups=tuple(view for _, view in shown),
        hidden_groups=len(every) - len(visible),
        silhouette=opinions.silhouette,
        common=tuple(share(i, s) for i, s in common_ground(opinions, every)),
        divisive=tuple(share(i, s) for i, s in divisive(opinions, every)),
        plot=scatter(opinions, shown),
        bars=statement_bars(opinions, texts, groups),
    )


def easy_sentences(found: Outcome | None) -> list[str]:
    """Say round two's outcome in a few easy-read sentences."""
    if found is None:
        return []
    lines = [f"{found.voters.said.capitalize()} ont donné leur avis sur les idées."]
    if found.groups:
        lines.append(f"Nous voyons {len(found.groups)} groupes d'avis.")
    lines += [f"Presque tout le monde est d'accord : {s.easy}" for s in found.common[:3]]
    if found.divisive:
        lines.append(f"Les avis sont partagés : {found.divisive[0].easy}")
    return lines
