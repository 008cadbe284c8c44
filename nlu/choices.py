"""Map typed text onto the choices a step offers: a number, a key, a label, yes or no."""

from __future__ import annotations

from rapidfuzz import fuzz

from nlu.interpretation import Expectation
from nlu.text import canonical, negated, words

YES_WORDS = ("oui", "ouais", "ouii", "ouep", "ouaip", "yes", "yep", "ok", "d'accord", "exact",
             "exactement", "c'est juste", "c'est ca", "c'est bien ca", "c'est exact", "voila",
             "bien sur", "carrement", "tout a fait", "absolument", "volontiers", "si",
             "evidemment", "grave", "je veux bien", "avec plaisir", "vas y", "allez y",
             "ca marche", "je suis d'accord")  # fmt: skip
NO_WORDS = ("non", "no", "nope", "non merci", "pas d'accord", "pas du tout", "faux", "jamais",
            "pas vraiment", "absolument pas", "certainement pas", "surtout pas", "negatif",
            "c'est faux", "c'est pas ca", "ce n'est pas ca", "pas ca", "je veux pas",
            "je ne veux pas", "pas envie", "je prefere pas", "je ne suis pas d'accord",
            "nonn", "ah non", "mais non")  # fmt: skip
DONT_KNOW_WORDS = ("je sais pas", "je ne sais pas", "ne sait pas", "ne sais pas", "sais pas",
                   "nsp", "je sais pas trop", "sans avis", "pas d'avis", "aucune idee",
                   "sans opinion", "je ne sais plus", "je sais plus", "j'en sais rien",
                   "je n'en sais rien")  # fmt: skip
ORDINALS = {"un": 1, "une": 1, "premier": 1, "premiere": 1, "1er": 1, "1ere": 1,
            "deux": 2, "deuxieme": 2, "second": 2, "seconde": 2, "2eme": 2,
            "trois": 3, "troisieme": 3, "3eme": 3, "quatre": 4, "quatrieme": 4, "4eme": 4,
            "cinq": 5, "cinquieme": 5, "5eme": 5, "six": 6, "sixieme": 6, "sept": 7,
            "huit": 8, "neuf": 9, "dix": 10}  # fmt: skip
FILLERS = frozenset({"le", "la", "les", "l", "numero", "num", "no", "n", "choix", "reponse",
                     "c", "est", "je", "choisis", "prends", "veux", "au", "aux", "a", "de",
                     "des", "du", "d", "un", "une", "en", "et", "ou", "mon", "ma", "mes",
                     "j", "pour", "moi", "plutot"})  # fmt: skip
# Said around an answer ("2 merci"): never the answer itself, even when a label holds it.
POLITE = frozenset({"merci", "beaucoup", "svp", "stp"})
_YES = frozenset(canonical(w) for w in YES_WORDS)
_NO = frozenset(canonical(w) for w in NO_WORDS)
_DONT_KNOW = frozenset(canonical(w) for w in DONT_KNOW_WORDS)
_YES_STARTS = frozenset(
    {
        "oui",
        "ouais",
        "ouii",
        "ouep",
        "yes",
        "ok",
        "exact",
        "exactement",
        "carrement",
        "absolument",
        "evidemment",
        "volontiers",
        "voila",
    }
)
_NO_STARTS = frozenset({"non", "no", "nope", "jamais", "negatif"})


def polarity(text: str) -> str | None:
    """Say whether a text answers yes ("oui") or no ("non"), or neither."""
    tokens = words(text)
    while len(tokens) > 1 and tokens[-1] == "merci":
        tokens.pop()
    phrase = " ".join(tokens)
    if not tokens:
        return None
    if phrase in _NO or (tokens[0] in _NO_STARTS and not set(tokens) & _YES_STARTS):
        return "non"
    if phrase in _YES or (tokens[0] in _YES_STARTS and "non" not in tokens
                          and not negated(tokens[:3])):  # fmt: skip
        return "oui"
    return None


def _polar_keys(expects: Expectation) -> dict[str, str]:
    """Return the keys of the yes and the no choices, when the step offers them."""
    found: dict[str, str] = {}
    for key, label in expects.choices:
        for side, names in (("oui", ("oui", "yes", "o", "y")), ("non", ("non", "no", "n"))):
            label_words = words(label)
            if canonical(key) in names or (label_words[:1] == [side]):
                found.setdefault(side, key)
    return found


def _number(tokens: list[str], count: int) -> int | None:
    """Return the 1-based position a text names ("2", "le 2", "la deuxieme"), if any."""
    named = [t for t in tokens if (t not in FILLERS and t not in POLITE) or t in ("un", "une")]
    if len(named) != 1 or len(tokens) > 4 or "les" in tokens:  # "les deux" is not "2"
        return None
    token = named[0]
    value = int(token) if token.isdigit() else ORDINALS.get(token)
    return value if value is not None and 1 <= value <= count else None


def match_choice_exact(text: str, expects: Expectation) -> str | None:
    """Map a text onto a choice by number, key, exact label, yes/no or don't-know words."""
    tokens = words(text)
    phrase = " ".join(tokens)
    keys = [key for key, _ in expects.choices]
    if not keys or not tokens:
        return None
    position = _number(tokens, len(keys))
    if position is not None:
        return keys[position - 1]
    for key, label in expects.choices:
        if phrase in (canonical(key), canonical(label)):
            return key
    side = polarity(text)
    if side is not None:
        polar = _polar_keys(expects)
        if side in polar:
            return polar[side]
    if phrase in _DONT_KNOW:
        for key, label in expects.choices:
            if canonical(key) in _DONT_KNOW or canonical(label) in _DONT_KNOW:
                return key
    return None


def _content(tokens: list[str]) -> list[str]:
    """Return the words that carry meaning (no articles, no fillers, no thanks)."""
    return [t for t in tokens if t not in FILLERS and t not in POLITE and len(t) > 1]


def match_choice(text: str, expects: Expectation) -> str | None:
    """Map a text onto one of the expected choices, tolerating typos and partial labels."""
    exact = match_choice_exact(text, expects)
    if exact is not None:
        return exact
    tokens = words(text)
    phrase = " ".join(tokens)
    labels = {canonical(label): key for key, label in expects.choices}
    if len(phrase) >= 4 and labels:
        scored = sorted(((fuzz.ratio(phrase, label), key) for label, key in labels.items()),
                        reverse=True)  # fmt: skip
        if scored[0][0] >= 85 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1]
    wanted = _content(tokens)
    if not wanted or len(wanted) > 3 or negated(tokens):
        return None
    hits = []
    for key, label in expects.choices:
        offered = _content(words(label)) + _content(words(key))
        if all(any(fuzz.ratio(w, o) >= 85 for o in offered) for w in wanted):
            hits.append(key)
    return hits[0] if len(hits) == 1 else None
