"""Rules before any model: commands, choices and the danger net, typos and SMS included."""

from __future__ import annotations

import pytest

from nlu.commands import CommandInterpreter, match_choice, match_command, normalise
from nlu.interpretation import Expectation

YES_NO = Expectation("choice", (("oui", "Oui"), ("non", "Non")))
PLACES = Expectation("choice", (("travail", "Au travail"), ("maison", "À la maison"),
                                ("rue", "Dans la rue"), ("nsp", "Je ne sais pas")))  # fmt: skip


def test_normalise_folds_case_accents_and_apostrophes() -> None:
    assert normalise("  Arrêtez  l’ENVOI ! ") == "arretez l'envoi"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("STOP", "stop"), ("Stop !!", "stop"), ("arrêt", "stop"), ("ARRET", "stop"),
        ("stopp", "stop"), ("stpo", "stop"), ("arette", "stop"), ("arrete svp", "stop"),
        ("stop merci", "stop"), ("Arrêtez de m'envoyer des SMS", "stop"),
        ("je veux plus de messages", "stop"), ("desinscription", "stop"),
        ("effacer", "effacer"), ("EFFACER", "effacer"), ("efacer", "effacer"),
        ("supprimé", "effacer"), ("supprime tout", "effacer"),
        ("effacer mes données", "effacer"), ("/supprimer", "effacer"),
        ("aide", "aide"), ("AIDE", "aide"), ("aidez moi svp", "aide"), ("jcomprend pa", "aide"),
        ("g pas compris", "aide"), ("chui perdu", "aide"), ("c koi", "aide"), ("help", "aide"),
        ("tu peu repeter", "repeter"), ("répétez svp", "repeter"), ("repette", "repeter"),
        ("t'as dit koi", "repeter"), ("encore une fois", "repeter"),
        ("retour", "retour"), ("revnir", "retour"), ("question précédente", "retour"),
        ("plus tard", "pause"), ("jreviens plus tard", "pause"), ("pause", "pause"),
    ],
)  # fmt: skip
def test_commands_survive_typos_and_sms_spelling(text: str, command: str) -> None:
    assert match_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "je ne veux pas arrêter de travailler",
        "je veux pas arrêter",
        "arrêter de fumer",
        "il faudrait arrêter les violences",
        "les aides de la caf sont trop compliquées",
        "aide à domicile c'est mal payé",
        "je ne veux pas qu'on efface les femmes de l'histoire",
        "bonjour", "merci", "aime", "retard", "revenu", "pose",
    ],
)  # fmt: skip
def test_opinions_and_near_words_are_not_commands(text: str) -> None:
    assert match_command(text) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ouais", "oui"), ("ouaiii", "oui"), ("wi", "oui"), ("ok merci", "oui"),
        ("oui c'est ça", "oui"), ("bien sûr", "oui"), ("d'accord", "oui"), ("si", "oui"),
        ("non merci", "non"), ("nan", "non"), ("nn", "non"), ("pas du tout", "non"),
        ("non c'est pas ça", "non"), ("1", "oui"), ("2", "non"),
    ],
)  # fmt: skip
def test_yes_and_no_in_free_words_pick_the_choice(text: str, key: str) -> None:
    assert match_choice(text, YES_NO) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2", "maison"), ("la deuxième", "maison"), ("le 1", "travail"), ("travail", "travail"),
        ("à la maison", "maison"), ("a la mison", "maison"), ("rue", "rue"), ("jsp", "nsp"),
        ("je sais pas", "nsp"),
    ],
)  # fmt: skip
def test_choices_by_number_label_typo_or_dont_know(text: str, key: str) -> None:
    assert match_choice(text, PLACES) == key


# Found by the walk (tests/walk): by SMS, "2 merci" at "1 - Non, merci / 2 - Oui, je veux
# savoir" was saved as "non" (the word "merci" matched the first label), so a person who
# asked for news was recorded as refusing it.
NEWS = Expectation("choice", (("non", "Non, merci"), ("oui", "Oui, je veux savoir")))


@pytest.mark.parametrize(("text", "key"), [("2 merci", "oui"), ("2. merci", "oui"), ("le 2 merci", "oui"),
                                           ("1 merci", "non"), ("2, merci beaucoup", "oui"),
                                           ("non merci", "non"), ("merci", None)])  # fmt: skip
def test_a_number_said_politely_is_still_that_number(text: str, key: str | None) -> None:
    assert match_choice(text, NEWS) == key


@pytest.mark.parametrize("text", ["5", "pas à la maison", "oui mais non", "les deux"])
def test_unclear_choices_are_not_guessed(text: str) -> None:
    assert match_choice(text, PLACES) is None
    assert match_choice("oui mais non", YES_NO) is None


def test_interpreter_prefers_an_exact_choice_then_commands() -> None:
    rules = CommandInterpreter()
    assert rules.interpret("non merci", YES_NO).choice == "non"
    assert rules.interpret("stop", YES_NO).command == "stop"
    aide = Expectation("choice", (("aide_dom", "Aide à domicile"), ("creche", "Crèche")))
    assert rules.interpret("aide à domicile", aide).choice == "aide_dom"
    assert rules.interpret("aide", aide).command == "aide"
    assert rules.interpret("creche", aide).choice == "creche"


def test_interpreter_leaves_free_text_alone() -> None:
    meaning = CommandInterpreter().interpret("les femmes sont moins payées", Expectation("text"))
    assert (meaning.command, meaning.choice, meaning.danger) == (None, None, False)


@pytest.mark.parametrize(
    ("text", "command"),
    [("SOS", "sos"), ("sos !", "sos"), ("Aide urgente", "sos"), ("/sos", "sos"),
     ("REPRENDRE", "reprendre"), ("on reprend", "reprendre")],
)  # fmt: skip
def test_help_in_danger_and_resume_are_words_anyone_can_send(text: str, command: str) -> None:
    assert CommandInterpreter().interpret(text, Expectation()).command == command
