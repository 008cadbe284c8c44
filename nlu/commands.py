"""Deterministic, typo-tolerant matching of commands, choices and danger words.

Rules run before any model. A text is a command only when the WHOLE short text says it
("stop", "tu peu repeter", "jcomprend pa"), never because a command word appears inside
an opinion: "je ne veux pas arrêter de travailler" stops no one.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from nlu.choices import match_choice, match_choice_exact
from nlu.danger import is_danger
from nlu.interpretation import Expectation, Interpretation
from nlu.text import canonical, negated, normalise, words

__all__ = ["COMMAND_WORDS", "CommandInterpreter", "is_danger", "match_choice",
           "match_command", "normalise"]  # fmt: skip

# Every way a participant may say a command, written as they would (canonicalised on use).
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "aide": (
        "aide",
        "aider",
        "aidez moi",
        "aide moi",
        "a l'aide",
        "help",
        "/aide",
        "?",
        "help me",
        "c'est quoi ca",
        "quoi faire",
        "je comprends pas",
        "je ne comprends pas",
        "j'ai pas compris",
        "je n'ai pas compris",
        "je comprends rien",
        "j'ai rien compris",
        "je pige pas",
        "je capte pas",
        "je capte rien",
        "besoin d'aide",
        "j'ai besoin d'aide",
        "comment ca marche",
        "comment on fait",
        "je suis perdu",
        "je suis perdue",
        "c'est quoi",
        "ca veut dire quoi",
        "au secours je comprends pas",
        "explique moi",
        "expliquez moi",
        "je sais pas quoi faire",
    ),
    "repeter": (
        "repete",
        "repeter",
        "repetez",
        "encore",
        "/repeter",
        "redis",
        "redites",
        "*",
        "tu peux repeter",
        "vous pouvez repeter",
        "tu peux redire",
        "vous pouvez redire",
        "redis le",
        "redis moi",
        "repete moi",
        "encore une fois",
        "une autre fois",
        "j'ai pas entendu",
        "pardon",
        "quoi",
        "tu as dit quoi",
        "vous avez dit quoi",
        "la question",
        "relis",
        "relire",
        "reecouter",
        "reentendre",
    ),
    "retour": (
        "retour",
        "revenir",
        "precedent",
        "precedente",
        "/retour",
        "back",
        "arriere",
        "en arriere",
        "retour en arriere",
        "revenir en arriere",
        "retourner",
        "question precedente",
        "la question d'avant",
        "revenir a la question d'avant",
        "je me suis trompe",
        "je me suis trompee",
        "on revient en arriere",
    ),
    "pause": (
        "pause",
        "plus tard",
        "/pause",
        "je reviens plus tard",
        "on continue plus tard",
        "a plus tard",
        "pas maintenant",
        "je continue plus tard",
        "faire une pause",
        "on fait une pause",
        "mettre en pause",
    ),
    "passer": (
        "passer",
        "je passe",
        "suivant",
        "/passer",
        "question suivante",
        "passe",
        "on passe",
        "je veux passer",
    ),
    "stop": (
        "stop",
        "arret",
        "arrete",
        "arreter",
        "arretez",
        "/stop",
        "stopper",
        "arette",
        "arete",
        "arrette",
        "aret",
        "arrettez",
        "aretez",
        "desinscription",
        "desinscrire",
        "me desinscrire",
        "je me desinscris",
        "desabonner",
        "me desabonner",
        "je me desabonne",
        "unsubscribe",
        "je veux arreter",
        "je veux tout arreter",
        "je veux plus participer",
        "je ne veux plus participer",
        "je veux plus de messages",
        "je ne veux plus de messages",
        "je veux plus recevoir de messages",
        "je ne veux plus recevoir de messages",
        "ne m'envoyez plus rien",
        "ne m'envoyez plus de messages",
        "plus de messages",
        "laissez moi tranquille",
        "laisse moi tranquille",
        "quitter",
        "je quitte",
        "j'arrete",
    ),
    "effacer": (
        "effacer",
        "efface",
        "effacez",
        "supprimer",
        "supprime",
        "supprimez",
        "/supprimer",
        "/effacer",
        "efface mes reponses",
        "effacer mes reponses",
        "supprimer mes donnees",
        "effacer mes donnees",
        "supprimer mon compte",
        "oubliez moi",
        "droit a l'oubli",
        "je veux tout effacer",
        "je veux tout supprimer",
        "suppression de mes donnees",
    ),
    # Help in danger without telling anything: the helplines, and the run stays where it is.
    "sos": ("sos", "/sos", "aide urgente", "urgence", "numeros d'urgence", "numero d'urgence"),
    "reprendre": ("reprendre", "/reprendre", "on reprend", "je reprends", "continuer", "on continue"),
    "facile": ("facile", "facile a lire", "/facile", "falc", "plus simple"),
    "standard": ("standard", "texte normal", "/standard"),
    "audio": ("audio", "/audio", "voix", "en audio", "lire a voix haute"),
    "sans_audio": ("sans audio", "/sans_audio", "pas d'audio", "sans le son", "texte seulement"),
}
# A short text that starts with one of these (and has no negation) is that command:
# "stop les messages", "arretez tout", "supprime mes infos".
LEADING_WORDS: dict[str, str] = {
    "stop": "stop", "arret": "stop", "arrete": "stop", "arretez": "stop", "arreter": "stop",
    "stopper": "stop", "stoppez": "stop", "desinscription": "stop",
    "effacer": "effacer", "efface": "effacer", "effacez": "effacer", "supprimer": "effacer",
    "supprime": "effacer", "supprimez": "effacer",
}  # fmt: skip
# What may follow a leading stop/erase word: "arretez de m'envoyer des messages" stops,
# "arreter de fumer" does not.
OBJECT_WORDS = frozenset({"tout", "les", "des", "de", "d", "du", "messages", "m", "me", "moi",
                          "envoyer", "ecrire", "mes", "ma", "mon", "reponses", "donnees", "infos",
                          "informations", "compte", "ca", "la", "le", "questionnaire", "sondage",
                          "ici", "nous", "vos", "maintenant", "ce", "que", "qui", "j", "ai",
                          "dit", "ecrit", "plus", "svp", "merci", "s", "il", "vous", "plait",
                          "conversation", "discussion", "tous"})  # fmt: skip
_PHRASES: dict[str, str] = {}
for _name, _phrases in COMMAND_WORDS.items():
    for _phrase in _phrases:
        _PHRASES.setdefault(canonical(_phrase) or _phrase, _name)


def _close_word(word: str, target: str) -> bool:
    """Say whether one word is a plausible typo of another (transposition, or 1-2 edits)."""
    if word == target:
        return True
    size = max(len(word), len(target))
    if size <= 4:
        return sorted(word) == sorted(target) and OSA.distance(word, target) == 1
    return OSA.distance(word, target) <= (1 if size < 8 else 2)


def _command_tokens(text: str) -> list[str]:
    """Return a text's canonical words without a trailing 'merci' ("stop merci")."""
    tokens = words(text)
    while len(tokens) > 1 and tokens[-1] == "merci":
        tokens.pop()
    return tokens


def match_command_exact(text: str) -> str | None:
    """Return the command a text says exactly (after SMS folding), or a leading stop word."""
    tokens = _command_tokens(text)
    if not tokens or len(tokens) > 8:
        return None
    phrase = " ".join(tokens)
    if phrase in _PHRASES:
        return _PHRASES[phrase]
    if tokens[0] in LEADING_WORDS and _objects_only(tokens[1:]):
        return LEADING_WORDS[tokens[0]]
    return None


def _objects_only(rest: list[str]) -> bool:
    """Say whether the words after a leading stop/erase word only name what to stop."""
    return len(rest) <= 6 and all(t in OBJECT_WORDS for t in rest)


def match_command(text: str) -> str | None:
    """Return the command a short text names, tolerating case, accents, SMS and typos."""
    exact = match_command_exact(text)
    if exact is not None:
        return exact
    tokens = _command_tokens(text)
    if not tokens or len(tokens) > 8:
        return None
    phrase = " ".join(tokens)
    if len(tokens) == 1:
        word = tokens[0]
        if len(word) < 4:
            return None
        close = {
            name
            for candidate, name in _PHRASES.items()
            if " " not in candidate and len(candidate) >= 4 and _close_word(word, candidate)
        }
        return close.pop() if len(close) == 1 else None
    if _objects_only(tokens[1:]):
        lead = next((w for w in LEADING_WORDS if len(w) >= 5 and _close_word(tokens[0], w)), None)
        if lead:
            return LEADING_WORDS[lead]
    best = process.extractOne(phrase, list(_PHRASES), scorer=fuzz.ratio, score_cutoff=85)
    if best is None or negated(best[0].split()) != negated(tokens):
        return None
    return _PHRASES[best[0]]


class CommandInterpreter:
    """The deterministic interpreter: danger, exact choices, commands, then fuzzy choices."""

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        """Interpret a text with rules only."""
        if is_danger(text):
            return Interpretation(intent="danger", danger=True, confidence=1.0, source="rules")
        if expects.choices:
            choice = match_choice_exact(text, expects)
            if choice is not None:
                return Interpretation(choice=choice, confidence=1.0, source="rules")
        command = match_command_exact(text)
        if command is None and expects.choices:
            choice = match_choice(text, expects)
            if choice is not None:
                return Interpretation(choice=choice, confidence=1.0, source="rules")
        command = command or match_command(text)
        if command is not None:
            return Interpretation(command=command, intent=command, confidence=1.0, source="rules")
        return Interpretation(source="rules")
