"""The workshop pack: an agenda of N days built from what people said, with each session's material.

`gather` reads the material (the opening on the people who rarely take part, the facilitators'
ranked proposals, the real divides); `plan` lays it over the configured days and sessions,
deterministically: the first session opens with the people far from public life, the last
days write the recommendations, and the sessions between take the topics in order (the
priorities in the facilitators' rank, then the divides, then the other proposals most said
first). What does not fit is listed, never dropped; a session with nothing left is free for
work in small groups. Every figure is a `Count` or a divide's sentence: the small-group rule
has already been applied where they were made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from sqlalchemy.orm import Session

from dashboard.config import DashboardConfig
from dashboard.divides import SELON, Divide, divides
from dashboard.proposals_view import Shown, shown
from dashboard.rarely import Rarely, opening
from flows.model import Flow
from storage import counted
from storage.small_groups import Count


@dataclass(frozen=True)
class SessionSpec:
    """One session of a workshop day: its name and how long it lasts."""

    name: str
    minutes: int

    def __post_init__(self) -> None:
        """Refuse a session without a name or without time."""
        if not self.name.strip():
            raise ValueError("name must not be empty")
        if self.minutes < 1:
            raise ValueError("minutes must be at least 1")


@dataclass(frozen=True)
class WorkshopConfig:
    """config.yml `workshop:`: the citizens' workshop the pack prepares."""

    SECTION: ClassVar[str] = "workshop"
    title: str
    days: int
    writing_days: int  # the last days, for writing the recommendations
    minutes_per_topic: int  # a session holds one topic per this many minutes (at least one)
    sessions: tuple[SessionSpec, ...]

    def __post_init__(self) -> None:
        """Refuse a workshop without days or sessions, or with more writing days than days."""
        if self.days < 1:
            raise ValueError(f"days must be at least 1 (it is {self.days})")
        if not self.sessions:
            raise ValueError("sessions must list at least one session (name and minutes)")
        if not 0 <= self.writing_days <= self.days:
            raise ValueError(f"writing_days must be between 0 and days ({self.days})")
        if self.minutes_per_topic < 1:
            raise ValueError("minutes_per_topic must be at least 1")


@dataclass(frozen=True)
class Material:
    """What the workshop works from, each figure already under the small-group rule."""

    flow_title: str
    respondents: Count
    rarely: Rarely | None
    priorities: list[Shown]  # ranked by the facilitators, in their rank
    others: list[Shown]  # not ranked, said by at least k people, most said first
    divides: list[Divide]
    unshown: int  # proposals of fewer than k people that no facilitator named


@dataclass(frozen=True)
class Topic:
    """One thing a session works on: a proposal or a divide."""

    kind: Literal["proposal", "divide"]
    heading: str
    proposal: Shown | None = None
    divide: Divide | None = None

    @property
    def question(self) -> str:
        """Return the question the session debates."""
        if self.divide is not None:
            return (f"Les réponses changent selon {SELON.get(self.divide.feature, self.divide.feature)} : "
                    "qu'est-ce qui explique cette différence ?")  # fmt: skip
        assert self.proposal is not None
        return (f"Sur « {self.proposal.title} » : que faut-il faire en premier, qui doit agir, "
                "et comment saurons-nous que cela a changé ?")  # fmt: skip


@dataclass(frozen=True)
class Slot:
    """One session of the agenda and what it works on."""

    day: int
    name: str
    minutes: int
    kind: Literal["opening", "topics", "free", "writing"]
    topics: tuple[Topic, ...] = ()
    part: int = 0  # for writing sessions: 0 the first, 1 the ones between, 2 the last

    @property
    def heading(self) -> str:
        """Name the session: its day, its name, and what it is for."""
        what = {
            "opening": "Ouverture : la parole des personnes qui participent rarement ou jamais",
            "topics": " · ".join(t.heading for t in self.topics),
            "free": "Temps libre : travail en petits groupes",
            "writing": ("Écrire les recommandations", "Écrire les recommandations (suite)",
                        "Relire et adopter les recommandations")[self.part],
        }[self.kind]  # fmt: skip
        return f"Jour {self.day}, {self.name.lower()} ({self.minutes} minutes) — {what}"


@dataclass(frozen=True)
class Day:
    """One day of the workshop."""

    number: int
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Pack:
    """The agenda: its days, what the sessions work on, and what did not fit."""

    title: str
    material: Material
    days: tuple[Day, ...]
    left_out: tuple[Topic, ...]
    writing_left_out: bool  # no session was left to write the recommendations

    @property
    def discussed(self) -> list[Topic]:
        """Return the topics that have a session, in the agenda's order."""
        return [t for day in self.days for slot in day.slots for t in slot.topics]


def topics(material: Material) -> list[Topic]:
    """Order the topics: the priorities in rank, then the divides, then the other proposals."""
    found = [Topic("proposal", f"Priorité {n} : {s.title}", proposal=s)
             for n, s in enumerate(material.priorities, 1)]  # fmt: skip
    found += [Topic("divide", f"Débat : « {d.question} »", divide=d) for d in material.divides]
    found += [Topic("proposal", f"Proposition : {s.title}", proposal=s) for s in material.others]
    return found


def plan(material: Material, workshop: WorkshopConfig) -> Pack:
    """Lay the material over the workshop's days and sessions (deterministic, nothing dropped)."""
    grid = [(day, spec) for day in range(1, workshop.days + 1) for spec in workshop.sessions]
    first_writing = (workshop.days - workshop.writing_days) * len(workshop.sessions)
    writing = range(max(1, first_writing), len(grid)) if workshop.writing_days else range(0)
    queue = topics(material)
    slots: list[Slot] = []
    for index, (day, spec) in enumerate(grid):
        if index == 0:
            slots.append(Slot(day, spec.name, spec.minutes, "opening"))
        elif index in writing:
            part = 0 if index == writing.start else 2 if index == writing.stop - 1 else 1
            slots.append(Slot(day, spec.name, spec.minutes, "writing", part=part))
        else:
            room = max(1, spec.minutes // workshop.minutes_per_topic)
            taken, queue = tuple(queue[:room]), queue[room:]
            slots.append(Slot(day, spec.name, spec.minutes, "topics" if taken else "free", taken))
    days = tuple(Day(n, tuple(s for s in slots if s.day == n)) for n in range(1, workshop.days + 1))
    return Pack(workshop.title, material, days, tuple(queue), bool(workshop.writing_days) and not writing)


def gather(session: Session, flow: Flow, profile: Flow | None, config: DashboardConfig) -> Material:
    """Read the pack's material from the database (the small-group rule applies throughout)."""
    found = shown(session, flow, profile, config)
    # A small group's proposal is named only by a facilitator: its quotes and words stay hidden.
    visible = [s for s in found if not s.count.hidden or s.item.title]
    ranked = [s for s in visible if s.item.rank is not None]
    others = sorted((s for s in visible if s.item.rank is None and not s.count.hidden),
                    key=lambda s: (-(s.count.value or 0), s.item.id))  # fmt: skip
    respondents = config.groups.count(counted.totals(session, flow.id).agreed)
    unshown = len(found) - len(ranked) - len(others)
    return Material(flow.title, respondents, opening(session, flow, config, None), ranked, others,
                    divides(session, flow, config, profile), unshown)  # fmt: skip
