"""The commune question: a typed name matched to the territory's official communes, then confirmed.

The communes come from INSEE's code officiel géographique, shipped under flows/data/ (see its
README). A known commune is saved under its official name with its INSEE code as category; a
name that matches none is kept as typed (raw_text) and counted as OTHER. Never themed.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from flows.events import NO, YES
from flows.kinds.base import Kind, Parser, Run, View

if TYPE_CHECKING:
    from flows.events import Expects, Input
    from flows.model import Step

DATA = Path(__file__).resolve().parents[1] / "data"
OTHER = "Autre commune"  # the saved value of a name that is not one of the territory's communes
MAX_LENGTH = 80
THRESHOLD = 75  # rapidfuzz ratio: one typo in a four-letter name still matches
MARGIN = 5  # a commune this close to the best one makes the name ambiguous
SHOWN = 4  # at most this many communes are named when a name is ambiguous
ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
ARTICLES = frozenset({"le", "la", "les", "l"})
SAINTS = frozenset({"saint", "sainte"})
GENERIC = frozenset({"sur", "sous", "en", "de", "des", "du", "aux"}) | ARTICLES | SAINTS  # name no commune


@dataclass(frozen=True)
class Commune:
    """One commune of the code officiel géographique."""

    code: str
    name: str


@dataclass(frozen=True)
class Match:
    """What a typed name designates: one commune, several equally close, or none."""

    commune: Commune | None = None
    ambiguous: tuple[Commune, ...] = ()


def fold(text: str) -> tuple[str, ...]:
    """Return the words of a name without case, accents or punctuation ("St" read as "Saint")."""
    plain = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    letters = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
    return tuple(ABBREVIATIONS.get(w, w) for w in letters.split())


@lru_cache(maxsize=4096)
def forms(name: str) -> frozenset[tuple[str, ...]]:
    """Return the ways a commune is called: its full name, without its article, its first word."""
    words = fold(name)
    article = words[:1] if words[0] in ARTICLES else ()
    bare = words[len(article) :]
    head = bare[:2] if bare[0] in SAINTS else bare[:1]
    return frozenset(f for f in {words, bare, head, article + head} if not set(f) <= GENERIC)


def similarity(words: tuple[str, ...], form: tuple[str, ...]) -> tuple[float, range]:
    """Score a typed text against one form, over every run of as many words as the form has."""
    size = len(form)
    spans = [range(i, min(i + size, len(words))) for i in range(max(1, len(words) - size + 1))]
    scored = ((fuzz.ratio(" ".join(words[s.start : s.stop]), " ".join(form)), s) for s in spans)
    return max(scored, key=lambda hit: hit[0])


def widest(hits: list[tuple[float, range]]) -> tuple[float, range]:
    """Return a commune's best score, with the most words matched about as well."""
    best = max(score for score, _ in hits)
    return best, max((span for score, span in hits if score >= best - MARGIN), key=len)


def within(inner: range, outer: range) -> bool:
    """Say whether a run of words lies strictly inside another."""
    return inner != outer and outer.start <= inner.start and inner.stop <= outer.stop


def match(text: str, communes: Collection[Commune], refused: Collection[str] = ()) -> Match:
    """Find the commune a typed text names, tolerating case, accents and typos (refused codes aside).

    Communes about as close as the best one make the text ambiguous, unless the words they match
    lie inside the words another matches ("Villeneuve" inside "Villeneuve St Georges").
    """
    words = fold(text)
    if not words:
        return Match()
    return _match(words, tuple(communes), tuple(sorted(refused)))


# Many people type the same few names (their commune, spelt their way): scoring one against a
# département's communes costs a few hundred microseconds, a second time a lookup. The cache is
# keyed by the folded words; it lives in this process's memory only, the oldest dropped first.
@lru_cache(maxsize=2048)
def _match(words: tuple[str, ...], communes: tuple[Commune, ...], refused: tuple[str, ...]) -> Match:
    """Match folded words against communes (see match)."""
    found = {c: widest([similarity(words, f) for f in forms(c.name)])
             for c in communes if c.code not in refused}  # fmt: skip
    best = max((score for score, _ in found.values()), default=0.0)
    if best < THRESHOLD:
        return Match()
    close = {c: hit for c, hit in found.items() if hit[0] >= best - MARGIN}
    kept = sorted((c for c, (_, span) in close.items()
                   if not any(within(span, other) for _, other in close.values())),
                  key=lambda c: -close[c][0])  # fmt: skip
    return Match(kept[0]) if len(kept) == 1 else Match(ambiguous=tuple(kept[:SHOWN]))


@lru_cache(maxsize=8)
def territory(departement: str) -> tuple[Commune, ...]:
    """Return the communes of a département, from the shipped list (flows/data/communes-XX.csv)."""
    with (DATA / f"communes-{departement}.csv").open(encoding="utf-8", newline="") as rows:
        return tuple(Commune(row["code"], row["nom"]) for row in csv.DictReader(rows))


def place(name: str) -> str:
    """Return "à Créteil", "au Perreux-sur-Marne": where one lives, in French."""
    for article, preposition in (("Le ", "au "), ("Les ", "aux ")):
        if name[: len(article)].casefold() == article.casefold():
            return preposition + name[len(article) :]
    return "à " + name


def listed(communes: tuple[Commune, ...]) -> str:
    """Return "A, B ou C"."""
    names = [c.name for c in communes]
    return ", ".join(names[:-1]) + " ou " + names[-1]


class CommuneKind(Kind):
    """A question answered by the name of a commune of the step's département."""

    name = "commune"
    fields = frozenset({"departement"})

    def options(self, raw: Mapping[str, Any], step_id: str, parser: Parser) -> dict[str, Any]:
        """Read the département whose communes are known (its INSEE code, as text)."""
        return {"departement": str(raw.get("departement", ""))}

    def check(self, step: Step) -> list[str]:
        """Require a département whose commune list is shipped."""
        departement = step.options.get("departement", "")
        if not (DATA / f"communes-{departement}.csv").is_file():
            return [f"a '{self.name}' step names a département with a list in flows/data "
                    f"(departement: '{departement}' has none)"]  # fmt: skip
        return []

    def limits(self, step: Step) -> tuple[int, ...]:
        """The too_long message quotes the longest name accepted."""
        return (MAX_LENGTH,)

    def view(self, run: Run, step: Step) -> View:
        """Ask for text."""
        return View("text")

    def expectation(self, run: Run, step: Step) -> tuple[Expects, tuple[tuple[str, str], ...]]:
        """Wait for yes or no while a commune is being confirmed, else for text."""
        if "text" in (run.state.pending or {}):
            return "confirm", ((YES, YES), (NO, NO))
        return super().expectation(run, step)

    def write(self, run: Run, step: Step, inp: Input) -> None:
        """Match typed text and ask to confirm it; keep a recording, which cannot be matched."""
        if inp.audio_ref:
            run.save(step, OTHER, audio_ref=inp.audio_ref, raw_text=inp.value or None)
            run.say_system("audio_saved")
            run.advance(step)
            return
        text = inp.value.strip()
        refused = list((run.state.pending or {}).get("refused", []))
        run.state.pending = {"kind": self.name, "refused": refused}
        if not fold(text):
            run.prompt(step)
        elif len(text) > MAX_LENGTH:
            run.retry(step, "too_long", limit=str(MAX_LENGTH))
        else:
            found = match(text, territory(step.options["departement"]), refused)
            if found.ambiguous:
                run.retry(step, "commune_ambiguous", communes=listed(found.ambiguous))
                return
            run.state.pending = {**run.state.pending, "text": text,
                                 "code": found.commune.code if found.commune else None}  # fmt: skip
            _ask(run, run.state.pending, step)

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Save the commune on yes (its official name, or OTHER); ask again on no."""
        pending = run.state.pending or {}
        if "text" not in pending:
            run.retry(step)
        elif inp.value == YES:
            code = pending["code"]
            if code:
                run.save(step, _commune(step, code).name, category=code)
            else:
                run.save(step, OTHER, raw_text=str(pending["text"]))
            run.state.pending = None
            run.advance(step)
        elif inp.value == NO:
            refused = [*pending["refused"], *([pending["code"]] if pending["code"] else [])]
            run.state.pending = {"kind": self.name, "refused": refused}
            run.retry(step, "commune_again")
        else:
            run.say_system("not_understood")
            _ask(run, pending, step)


def _commune(step: Step, code: str) -> Commune:
    """Return a commune of the step's territory by its INSEE code."""
    return next(c for c in territory(step.options["departement"]) if c.code == code)


def _ask(run: Run, pending: Mapping[str, Any], step: Step) -> None:
    """Ask whether the participant lives in the commune found (or in the name as typed)."""
    if pending["code"]:
        run.confirm("commune_confirm", place=place(_commune(step, pending["code"]).name))
    else:
        run.confirm("commune_other", text=str(pending["text"]), place=place(str(pending["text"])))


KIND = CommuneKind()
