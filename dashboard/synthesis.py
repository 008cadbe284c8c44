"""The workshop synthesis: ranked themes, dividing questions, missing voices, debate."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dashboard import heard
from dashboard.config import DashboardConfig
from dashboard.figures import Question, questions
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
class Divide:
    """A question whose answers are split, with the shares of its largest answers."""

    question: Question
    shares: list[tuple[str, int]]
    score: float


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


def divides(items: list[Question], limit: int = 3) -> list[Divide]:
    """Rank single-choice questions by how evenly people split (no majority = most divided)."""
    found = []
    for q in items:
        visible = [(c.label, c.count.value) for c in q.cells if c.count.value]
        total = sum(n for _label, n in visible if n is not None)
        if q.multi or len(visible) < 2 or not total:
            continue
        shares = sorted(((label, round(100 * n / total)) for label, n in visible if n),
                        key=lambda s: -s[1])  # fmt: skip
        if shares[1][1] < 25:
            continue
        found.append(Divide(q, shares[:3], 1 - shares[0][1] / 100))
    return sorted(found, key=lambda d: -d.score)[:limit]


def debate_questions(ranked: list[Theme], split: list[Divide], missing: list[heard.Group]) -> list[str]:
    """Propose 5 to 10 questions for the workshop's debate."""
    proposed = [THEME_QUESTIONS[i].format(t=t.label) for i, t in enumerate(ranked[:4])]
    proposed += [
        f"Les avis sont partagés sur « {d.question.label} » : qu'est-ce qui explique ces différences ?"
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
    if split:
        lines.append("Sur une question, les avis sont très différents :")
        steps = {s.result: s for s in flow.results()}
        step = steps.get(split[0].question.result)
        easy = step.say.get("fr").easy if step else split[0].question.label
        lines += [line.strip() for line in easy.splitlines() if line.strip()]
    lines += ["Un atelier va parler de ces sujets.", "Nous vous dirons ce qui est décidé."]
    return lines


def build(session: Session, flow: Flow, config: DashboardConfig) -> Synthesis:
    """Gather the synthesis of one flow (the small-group rule applies throughout)."""
    groups = config.groups
    profile = config.profile_results.values()
    ranked = [t for t in themes(session, flow, None, groups, profile=profile) if not t.count.hidden]
    named = [t for t in ranked if t.key]  # texts without a theme are reported, not debated
    split = divides(questions(session, flow, None, groups))
    ref = reference.load(session, config.reference_csv, heard.source_label(config))
    missing = heard.missing(heard.compare(session, config, flow, ref))
    respondents = groups.count(counted.totals(session, flow.id).agreed)
    debate = debate_questions(named, split, missing)
    return Synthesis(flow, respondents, ranked, split, missing, debate,
                     easy_read(flow, respondents, named, split))  # fmt: skip
