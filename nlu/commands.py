"""Deterministic, typo-tolerant matching of commands, choices and danger words."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

from nlu.interpretation import Expectation, Interpretation

# Every word a participant may use for a command, written without accents, lower case.
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "aide": ("aide", "aider", "help", "au secours je comprends pas", "/aide", "?"),
    "repeter": ("repete", "repeter", "repetez", "encore", "/repeter", "redis", "*"),
    "retour": ("retour", "revenir", "precedent", "/retour", "back"),
    "pause": ("pause", "plus tard", "/pause"),
    "passer": ("passer", "je passe", "suivant", "/passer"),
    "stop": ("stop", "arret", "arreter", "/stop", "stopper", "desinscription", "unsubscribe"),
    "effacer": ("effacer", "supprimer", "/supprimer", "/effacer", "efface mes reponses"),
    "facile": ("facile", "facile a lire", "/facile"),
    "standard": ("standard", "texte normal", "/standard"),
    "audio": ("audio", "/audio", "voix"),
}
YES_WORDS = ("oui", "ouais", "ouai", "oue", "yes", "ok", "d'accord", "daccord", "dac", "exact",
             "c'est juste", "cest juste", "voila", "bien sur", "yep", "si")  # fmt: skip
NO_WORDS = ("non", "nan", "no", "pas d'accord", "pas du tout", "non merci", "nope", "faux")
DANGER_PATTERNS = (
    r"\bme (frappe|bat|tape|viole|menace|etrangle|tabasse)\b",
    r"\bm'a (frappee?|battue?|violee?|menacee?|etranglee?)\b",
    r"\b(peur|danger) (de|pour) (rentrer|ma vie|mes enfants|moi)\b",
    r"\bje suis en danger\b",
    r"\bva me tuer\b",
    r"\bveut me tuer\b",
    r"\bviolences? conjugales? (chez moi|en ce moment)\b",
    r"\bj'ai peur de (lui|mon mari|mon conjoint|mon copain|rentrer)\b",
)
_DANGER = re.compile("|".join(DANGER_PATTERNS))
_LOOKUP = {word: name for name, words in COMMAND_WORDS.items() for word in words}


def normalise(text: str) -> str:
    """Lower-case, strip accents, fold apostrophes and spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip(" .!?,;")


def match_command(text: str) -> str | None:
    """Return the command a short text names, tolerating case, accents and small typos."""
    norm = normalise(text)
    if not norm or len(norm) > 30:
        return None
    if norm in _LOOKUP:
        return _LOOKUP[norm]
    if len(norm) < 4:
        return None
    best = process.extractOne(norm, list(_LOOKUP), scorer=fuzz.ratio, score_cutoff=80)
    return _LOOKUP[best[0]] if best else None


def match_choice(text: str, expects: Expectation) -> str | None:
    """Map a text onto one of the expected choices: its number, its key or its label."""
    norm = normalise(text)
    keys = [key for key, _ in expects.choices]
    if norm.isdigit() and 1 <= int(norm) <= len(keys):
        return keys[int(norm) - 1]
    for key, label in expects.choices:
        if norm in (normalise(key), normalise(label)):
            return key
    if "oui" in keys and norm in YES_WORDS:
        return "oui"
    if "non" in keys and norm in NO_WORDS:
        return "non"
    labels = {normalise(label): key for key, label in expects.choices}
    if len(norm) >= 4 and labels:
        best = process.extractOne(norm, list(labels), scorer=fuzz.ratio, score_cutoff=85)
        if best:
            return labels[best[0]]
    return None


def is_danger(text: str) -> bool:
    """Say whether a text discloses violence or immediate danger (a safety net)."""
    return bool(_DANGER.search(normalise(text)))


class CommandInterpreter:
    """The deterministic interpreter: danger, commands, then choices; no statistics."""

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        """Interpret a text with rules only."""
        if is_danger(text):
            return Interpretation(intent="danger", danger=True, confidence=1.0, source="rules")
        if expects.choices:
            choice = match_choice(text, expects)
            if choice is not None:
                return Interpretation(choice=choice, confidence=1.0, source="rules")
        command = match_command(text)
        if command is not None:
            return Interpretation(command=command, intent=command, confidence=1.0, source="rules")
        return Interpretation(source="rules")
