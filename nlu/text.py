"""Text folding for rules: accents, apostrophes, SMS spelling and politeness words."""

from __future__ import annotations

import functools
import re
import unicodedata

# SMS spellings and frequent misspellings, folded to one canonical spelling (no accents).
SMS: dict[str, str] = {
    "pa": "pas", "pk": "pourquoi", "pq": "pourquoi", "koi": "quoi", "kwa": "quoi",
    "ki": "qui", "ke": "que", "tjr": "toujours", "tjrs": "toujours", "bcp": "beaucoup",
    "g": "j ai", "jai": "j ai", "c": "c est", "cest": "c est",
    "chui": "je suis", "chuis": "je suis", "jsuis": "je suis", "jsui": "je suis",
    "jsp": "je sais pas", "chai": "je sais", "chais": "je sais", "jsais": "je sais",
    "jsai": "je sais", "sai": "sais", "sais": "sais", "peu": "peux", "veu": "veux",
    "jveu": "je veux", "jveux": "je veux", "t": "tu",
    "nn": "non", "nan": "non", "ui": "oui", "wi": "oui", "ouai": "ouais", "oue": "ouais",
    "msg": "messages", "mess": "messages", "message": "messages", "sms": "messages",
    "texto": "messages", "textos": "messages", "mrc": "merci", "mci": "merci",
    "merki": "merci", "slt": "salut", "bjr": "bonjour", "bsr": "bonsoir", "dac": "d accord",
    "daccord": "d accord", "ok": "ok", "okay": "ok", "oki": "ok", "okk": "ok",
    "tt": "tout", "ts": "tous", "qd": "quand", "qq": "quelque", "ds": "dans",
    "jcomprend": "je comprends", "comprend": "comprends", "compri": "compris",
    "comprit": "compris", "pige": "pige", "capte": "capte", "frape": "frappe",
    "tappe": "tape", "mec": "copain", "keum": "copain", "meuf": "copine",
    "danje": "danger", "danjer": "danger", "secour": "secours", "tue": "tuer",
    "pr": "pour", "fo": "faut", "psk": "parce que", "pcq": "parce que", "dsl": "desole",
    "rdv": "rendez vous", "tps": "temps", "mtn": "maintenant", "vrmt": "vraiment",
    "ya": "il y a", "kan": "quand", "pb": "probleme", "pbm": "probleme", "moin": "moins",
}  # fmt: skip
POLITENESS = frozenset({"svp", "stp", "svpl", "please", "pls", "plz", "euh", "bah", "ben",
                        "alors", "pitie"})  # fmt: skip
_PLEASE = re.compile(r"\bs ?il (vous|te|vs|tu) plai[st]?\b")
NEGATIONS = frozenset({"ne", "n", "pas", "jamais", "rien", "aucun", "aucune", "sans"})
_J_PREFIX = re.compile(r"^j([bcdfghjklmnpqrstvwxz][a-z]{2,})$")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NOT_A_WORD = re.compile(r"[^a-z0-9/*?' -]+")


def normalise(text: str) -> str:
    """Lower-case, strip accents, fold apostrophes and spaces, trim punctuation at the ends."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("`", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip(" .!?,;:…")


def _fold_token(token: str) -> str:
    """Fold one token (letters repeated thrice already folded): SMS spelling, 'jveux' elisions."""
    if token in SMS:
        return SMS[token]
    match = _J_PREFIX.match(token) if token.startswith("j") else None
    if match and match.group(1) not in ("ai",):
        rest = match.group(1)
        return "je " + SMS.get(rest, rest)
    return token


def words(text: str) -> list[str]:
    """Return the canonical words of a text: elisions split, SMS folded, politeness dropped."""
    return list(_words(text))


# The rules fold the same texts again and again (every choice label of a step, on every
# message; a participant's text by several rules): a small cache of recent folds, in memory only.
@functools.lru_cache(maxsize=2048)
def _words(text: str) -> tuple[str, ...]:
    norm = normalise(text)
    norm = _NOT_A_WORD.sub(" ", norm).replace("'", " ")
    norm = _PLEASE.sub(" ", norm)
    tokens: list[str] = []
    raws = norm.split()
    # The elision test below reads the raw words; only the folding sees repeats removed.
    folded = [_REPEATS.sub(r"\1", raw) for raw in raws] if _REPEATS.search(norm) else raws
    for i, raw in enumerate(raws):
        if raw in ("c", "j") and i + 1 < len(raws) and raws[i + 1] in ("est", "etait", "ai"):
            tokens.append(raw)  # the elided form "c'est" / "j'ai", already split
            continue
        tokens.extend(_fold_token(folded[i]).split())
    return tuple(t for t in tokens if t not in POLITENESS)


def canonical(text: str) -> str:
    """Return a text's canonical words joined by single spaces."""
    return " ".join(words(text))


def negated(tokens: list[str]) -> bool:
    """Say whether a list of canonical words holds a negation."""
    return any(t in NEGATIONS for t in tokens)
