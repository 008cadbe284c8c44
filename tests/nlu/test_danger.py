"""The danger net: first-person disclosures are caught; opinions about violence are not."""

from __future__ import annotations

import pytest

from nlu.commands import CommandInterpreter, is_danger
from nlu.interpretation import Expectation


@pytest.mark.parametrize(
    "text",
    [
        "mon mari me frappe", "Mon mari me frappe.", "il me frape tout les soirs",
        "j'ai peur de rentrer chez moi", "g peur de rentrer", "J’ai peur de lui",
        "il m'a frappée hier", "mon copain m a battue", "il va me tuer", "il veut me tuer",
        "je suis en danger", "jsui en danger", "au secours", "mon ex me menace",
        "je me fais frapper par mon conjoint", "il a un couteau", "il frappe mes enfants",
        "mon beau père me touche", "je veux mourir", "il m'enferme", "on me fait du mal",
        "mon mec me tape dessus", "il me laisse pas sortir", "mon mari me force",
        "il me surveille et me menace", "mon copain est violent avec moi",
    ],
)  # fmt: skip
def test_disclosures_are_caught(text: str) -> None:
    assert is_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "il y a trop de harcèlement dans le métro",
        "les violences conjugales sont un fléau",
        "les femmes battues devraient être mieux protégées",
        "ce qui me frappe c'est l'écart de salaire",
        "ça me tape sur les nerfs",
        "j'ai peur dans le bus le soir",
        "au secours je comprends rien",
        "la police ne prend pas les plaintes au sérieux",
        "il faut punir les agresseurs",
        "ce film me touche",
        "ça me force à réfléchir",
        "les hommes violents avec leurs femmes doivent être punis",
    ],
)
def test_opinions_about_violence_are_not_emergencies(text: str) -> None:
    assert not is_danger(text)


@pytest.mark.parametrize(
    "expects",
    [
        Expectation(),
        Expectation("text"),
        Expectation("choice", (("oui", "Oui"), ("non", "Non"))),
        Expectation("multi", (("a", "Le travail"), ("b", "La maison"))),
        Expectation("confirm", (("oui", "oui"), ("non", "non"))),
    ],
)
def test_danger_wins_on_every_step_kind(expects: Expectation) -> None:
    meaning = CommandInterpreter().interpret("non, mon mari me frappe", expects)
    assert meaning.danger and meaning.intent == "danger" and meaning.choice is None
