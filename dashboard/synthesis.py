"""The workshop synthesis: ranked themes, dividing questions, missing voices, debate."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dashboard import heard
from dashboard.config import DashboardConfig
from dashboard.divides import SELON, Divide, divides
from dashboard.figures import Selection
from dashboard.rarely import Rarely, opening
from dashboard.themes import Theme, themes
from flows.model import Flow
from storage import counted, reference
from storage.small_groups import Count

THEME_QUESTIONS = (
    "Sur « {t} », quelles actions concrètes faut-il mener en premier ?",
    "Qu'est-ce qui empêche aujourd'hui d'avancer sur « {t} » ?",
    "Qui doit agir sur « {t} » : la commune, le département, les employeurs, les associations ?",
    "Comment saurons-nous dans un an que les choses ont changé sur « {t} » ?",
)
GENERIC_QUESTIONS = (
    "Quelle mesure proposer en priorité au conseil départemental, et pourquoi ?",
    "Quelles initiatives locales marchent déjà et mériteraient d'être étendues ?",
    "Comment rendre compte aux personnes qui ont participé de ce qui sera décidé ?",
)


@dataclass(frozen=True)
class Synthesis:
    """Everything the workshop report shows."""

    flow: Flow
    respondents: Count
    themes: list[Theme]
    divides: list[Divide]
    missing: list[heard.Group]
    debate: list[str]
    easy: list[str] = field(default_factory=list)
    selection: Selection | None = None  # the lens filter the synthesis is about
    rarely: Rarely | None = None  # the opening: people who rarely or never take part


def debate_questions(ranked: list[Theme], split: list[Divide], missing: list[heard.Group]) -> list[str]:
    """Propose 5 to 10 questions for the workshop's debate."""
    proposed = [THEME_QUESTIONS[i].format(t=t.label) for i, t in enumerate(ranked[:4])]
    proposed += [
        f"Les réponses à « {d.question} » changent selon {SELON.get(d.feature, d.feature)} : "
        "qu'est-ce qui explique cette différence ?"
        for d in split[:3]
    ]
    proposed += [
        f"Comment entendre davantage les personnes du groupe « {g.label} » dans la suite ?"
        for g in missing[:2]
    ]
    for generic in GENERIC_QUESTIONS:
        if len(proposed) >= 5:
            break
        proposed.append(generic)
    return proposed[:10]


def easy_read(flow: Flow, respondents: Count, ranked: list[Theme], split: list[Divide]) -> list[str]:
    """Write the synthesis in easy-read French: short sentences, one per line, no percentages."""
    lines = ["Merci d'avoir répondu !"]
    if respondents.value is not None and respondents.value >= 100:
        lines.append("Beaucoup de personnes ont répondu.")
    else:
        lines.append(f"{respondents.said.capitalize()} ont répondu.")
    if ranked:
        lines.append("Voici les sujets qui comptent le plus pour vous :")
        lines += [f"- {t.label}" for t in ranked[:3]]
    steps = {s.result: s for s in flow.results()}
    for found in split[:2]:
        lines += found.easy(steps.get(found.result))
    lines += ["Un atelier va parler de ces sujets.", "Nous vous dirons ce qui est décidé."]
    return lines


def build(session: Session, flow: Flow, config: DashboardConfig, profile: Flow | None = None,
          people: Selection | None = None) -> Synthesis:  # fmt: skip
    """Gather the synthesis of one flow (the small-group rule applies throughout).

    `profile` is the profile flow (it names the groups; the flow itself when it is that one);
    `people` a filter of the lens.
    """
    groups = config.groups
    profile = profile or (flow if flow.id == config.profile_flow else None)
    if people is not None and people.refused:
        return Synthesis(flow, Count(None), [], [], [], [], selection=people)
    ranked = [t for t in themes(session, flow, people, groups, profile=config.profile_results.values())
              if not t.count.hidden]  # fmt: skip
    named = [t for t in ranked if t.key]  # texts without a theme are reported, not debated
    split = divides(session, flow, config, profile, people)
    ref = reference.load(session, config.reference_csv, heard.source_label(config))
    missing = heard.missing(heard.compare(session, config, flow, ref))
    filtered = people.size if people and people.query is not None else None
    respondents = groups.count(counted.totals(session, flow.id).agreed if filtered is None else filtered)
    debate = debate_questions(named, split, missing)
    return Synthesis(flow, respondents, ranked, split, missing, debate,
                     easy_read(flow, respondents, named, split), people,
                     opening(session, flow, config, people))  # fmt: skip
