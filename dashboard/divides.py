"""Divides: opinion questions answered differently by groups, tested exactly, said with counts.

For each opinion question and each grouping (gender, age band, participation level, reading
mode) the answers make a groups x answers table. Only groups of at least k people enter it,
and a grouping that would leave out 1 to k-1 of the question's respondents, or to one of whose
groups a wider filter adds 1 to k-1 people, is not used (their answers would follow by
subtraction). A 2 x 2 table is tested with Fisher's exact
test, a larger one with the chi-squared test; the effect size is Cramér's V. A divide is
kept when p < P_MAX and V >= MIN_EFFECT, and written as a plain sentence with counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt

from sqlalchemy.orm import Session

from dashboard import lens
from dashboard.config import DashboardConfig
from dashboard.figures import Selection, choice_labels, question_label
from flows import kinds
from flows.events import DONT_KNOW_KEY
from flows.model import Flow, Step
from storage import queries

P_MAX = 0.05  # significance threshold
MIN_EFFECT = 0.2  # Cramér's V under this is too small a difference to debate
NO_DIVIDE = "Aucune question d'opinion ne sépare nettement les groupes."
GROUPINGS = ("genre", "age", lens.PARTICIPATION, "lecture")
SELON = {"genre": "le genre", "age": "l'âge", lens.PARTICIPATION: "la participation à la vie publique",
         "lecture": "la façon de lire"}  # fmt: skip
NOUNS = {
    "genre": {"femme": "femmes", "homme": "hommes"},
    lens.PARTICIPATION: {"souvent": "personnes qui participent souvent",
                         "parfois": "personnes qui participent parfois",
                         "rarement": "personnes qui participent rarement ou jamais"},
    "lecture": {"facile": "personnes qui lisent en facile à lire",
                "standard": "personnes qui lisent le texte normal"},
}  # fmt: skip


@dataclass(frozen=True)
class Group:
    """One group of a divide: who they are, how many gave the answer, how many answered."""

    noun: str
    count: int
    size: int
    k: int = 1  # the small-group threshold: a count of 1 to k-1 people is not written

    @property
    def said(self) -> str:
        """Write how many gave the answer: the number, or "moins de k" for a small group."""
        return f"moins de {self.k}" if 0 < self.count < self.k else str(self.count)


@dataclass(frozen=True)
class Divide:
    """An opinion question that groups answer differently, with the test that says so."""

    result: str
    question: str
    feature: str
    key: str
    answer: str
    groups: tuple[Group, ...]
    p: float
    effect: float

    @property
    def sentence(self) -> str:
        """Say the divide in one sentence with counts."""
        first, *others = self.groups
        rest = "".join(f", {_counted(g)}" for g in others)
        verb = "n'a répondu" if first.said == "0" else "ont répondu"
        return f"« {self.question} » : {_counted(first)} {verb} « {self.answer} »{rest}."

    def easy(self, step: Step | None) -> list[str]:
        """Say the divide in easy-read lines: what changes it, the question, one line per group."""
        text = step.say.get("fr").easy if step else self.question
        choice = step.choice(self.key) if step else None
        answer = choice.label.get("fr").easy if choice else self.answer
        lines = [f"Les réponses changent selon {SELON.get(self.feature, self.feature)}."]
        lines += [line.strip() for line in text.splitlines() if line.strip()]
        lines.append(f"Réponse « {answer} » :")
        return lines + [f"- {_counted(g, capital=True)}" for g in self.groups]


def _counted(group: Group, capital: bool = False) -> str:
    """Say how many of a group gave the answer: "20 femmes sur 45", "personne parmi les 24 hommes"."""
    if group.said == "0":  # French counts nobody in the singular: never "0 hommes"
        return ("Personne" if capital else "personne") + f" parmi les {group.size} {group.noun}"
    return f"{group.said} {group.noun} sur {group.size}"


def note(k: int) -> str:
    """Say how the divides are found, in plain French."""
    threshold = f"{P_MAX:g}".replace(".", ",")
    return (f"Questions d'opinion où des groupes répondent différemment (test exact, p < {threshold}, "
            f"écart net) ; seuls les groupes d'au moins {k} personnes sont comparés.")  # fmt: skip


def noun(feature: str, key: str, label: str) -> str:
    """Name the people of a group in the plural."""
    known = NOUNS.get(feature, {}).get(key)
    if known:
        return known
    return f"personnes de {label}" if feature == "age" else f"personnes « {label} »"


def strength(table: list[list[int]]) -> tuple[float, float]:
    """Return (p, Cramér's V) of a contingency table: Fisher's exact test for 2 x 2, else chi-squared.

    An answer no one in the table gave is left out; with fewer than two left there is no test.
    """
    from scipy.stats import chi2_contingency, fisher_exact  # 0.8 s and 20 MB: only when a figure needs it

    columns = [column for column in zip(*table, strict=True) if any(column)]
    if len(columns) < 2:
        return 1.0, 0.0
    table = [list(row) for row in zip(*columns, strict=True)]
    chi2 = float(chi2_contingency(table, correction=False)[0])
    total = sum(map(sum, table))
    effect = sqrt(chi2 / (total * (min(len(table), len(table[0])) - 1)))
    if len(table) == 2 and len(table[0]) == 2:
        return float(fisher_exact(table)[1]), effect
    return float(chi2_contingency(table)[1]), effect


def _answers(counts: Counter[tuple[str, str]], several: bool) -> dict[str, Counter[str]]:
    """Return group -> answer -> people (a multiple answer counts once for each key)."""
    by_group: dict[str, Counter[str]] = {}
    for (group, value), n in counts.items():
        keys = [k for k in value.split(",") if k] if several else [value]
        by_group.setdefault(group, Counter()).update({k: n for k in keys})
    return by_group


def _sizes(counts: Counter[tuple[str, str]]) -> Counter[str]:
    """Return group -> people who answered."""
    sizes: Counter[str] = Counter()
    for (group, _value), n in counts.items():
        sizes[group] += n
    return sizes


def divide(step: Step, feature: str, counts: Counter[tuple[str, str]], respondents: int,
           names: dict[str, str], k: int, wider: Sequence[Counter[tuple[str, str]]] = ()
           ) -> Divide | None:  # fmt: skip
    """Test one question against one grouping; return the divide when it is real, else None.

    `wider` holds the same table under each wider filter: a group it adds 1 to k-1 people to
    would let a comparison of the two reports count them, so the grouping is not used.
    """
    assert step.result is not None
    sizes = _sizes(counts)
    kept = sorted(g for g, n in sizes.items() if n >= k and g)
    left_out = respondents - sum(sizes[g] for g in kept)
    if len(kept) < 2 or 0 < left_out < k:
        return None
    if any(0 < more[g] - sizes[g] < k for more in map(_sizes, wider) for g in kept):
        return None
    several = kinds.get(step.kind).several
    answers = _answers(counts, several)
    keys = [key for key in choice_labels(step) if key != DONT_KNOW_KEY and any(answers[g][key] for g in kept)]
    if len(keys) < (1 if several else 2):
        return None
    found: list[tuple[float, float, str]] = []
    if several:
        for key in keys:
            p, effect = strength([[answers[g][key], sizes[g] - answers[g][key]] for g in kept])
            found.append((p, effect, key))
    else:
        p, effect = strength([[answers[g][key] for key in keys] for g in kept])
        shares = {key: [answers[g][key] / sizes[g] for g in kept] for key in keys}
        # The answer whose share differs most; on a tie the rarer one, which says what sets a group apart.
        gap = {key: round(max(shares[key]) - min(shares[key]), 9) for key in keys}
        rarity = {key: -sum(answers[g][key] for g in kept) for key in keys}
        found.append((p, effect, max(keys, key=lambda key: (gap[key], rarity[key], -keys.index(key)))))
    p, effect, key = min(found, key=lambda f: (f[0], -f[1]))
    if p >= P_MAX or effect < MIN_EFFECT:
        return None
    groups = sorted((Group(noun(feature, g, names.get(g, g)), answers[g][key], sizes[g], k) for g in kept),
                    key=lambda g: -g.count / g.size)  # fmt: skip
    return Divide(step.result, question_label(step), feature, key, choice_labels(step).get(key, key),
                  tuple(groups), p, effect)  # fmt: skip


def opinion_steps(flow: Flow, config: DashboardConfig) -> list[Step]:
    """Return the opinion questions with choices; the dashboard's profile answers never are."""
    profile = set(lens.profile_results(config).values())
    return [s for s in flow.opinions() if kinds.get(s.kind).opinion and s.choices and s.result not in profile]


def divides(session: Session, flow: Flow, config: DashboardConfig, profile: Flow | None,
            people: Selection | None = None, limit: int = 5) -> list[Divide]:  # fmt: skip
    """Find the real divides of a flow's opinion questions among people (everyone when None).

    Each question appears once, with the grouping that splits it most.
    """
    steps = {s.result: s for s in profile.results()} if profile else {}
    results = lens.profile_results(config)
    query, wider = (people.query, people.wider) if people else (None, ())
    found = []
    for step in opinion_steps(flow, config):
        assert step.result is not None
        several = kinds.get(step.kind).several
        respondents, _counts = queries.distribution(session, flow.id, step.result, query, several)
        split = []
        for feature in GROUPINGS:
            group_step = steps.get(results.get(feature, ""))
            names = choice_labels(group_step) if group_step else {}
            values = lens.values(config, feature)
            counts = queries.crosstab(session, flow.id, step.result, values, query)
            larger = [queries.crosstab(session, flow.id, step.result, values, w) for w in wider]
            split.append(divide(step, feature, counts, respondents, names, config.groups.k, larger))
        real = sorted((d for d in split if d is not None), key=lambda d: (-d.effect, d.p))
        found += real[:1]  # one question, one divide: the grouping that splits it most
    return sorted(found, key=lambda d: (-d.effect, d.p))[:limit]
