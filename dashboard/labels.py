"""French labels for the keys the dashboard shows."""

from __future__ import annotations

from bot.channels import registry

MODES = {
    "easy": "Facile à lire (FALC)",
    "audio": "Audio",
    "assisted": "Avec l'aide d'une personne",
}
THEMES = {
    "travail": "Travail et salaires",
    "taches_domestiques": "Tâches à la maison",
    "violences": "Violences",
    "espace_public": "Espace public et transports",
    "education": "Éducation",
    "acces_aux_droits": "Accès aux droits",
    "sport_loisirs": "Sport et loisirs",
    "sante": "Santé",
    "handicap": "Handicap",
    "autre": "Autres sujets",
    "": "Sans thème",
}
FEATURES = {
    "age": "Âge", "commune": "Commune", "genre": "Genre",
    "participation": "Participation à la vie publique", "lecture": "Lecture", "audio": "Audio",
    "aide": "Aide d'une personne", "canal": "Canal",
}  # fmt: skip


def channel(key: str) -> str:
    """Return the label of a channel, as its plug-in in the registry names it."""
    return registry.labels().get(key, key)


def theme(key: str | None) -> str:
    """Return the label of a theme."""
    return THEMES.get(key or "", (key or "").replace("_", " ").capitalize())


def reachable_later(key: str) -> bool:
    """Say whether a channel can reach a participant outside a reply (the kiosk cannot)."""
    return registry.capabilities(key).sends_later
