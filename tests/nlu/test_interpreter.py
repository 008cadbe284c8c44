"""The configured interpreter: rules first, then the model's label mapped onto the step."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError
from nlu.embedded import EmbeddedClassifier
from nlu.factory import build_interpreter, default_cache_dir
from nlu.interpretation import Expectation
from nlu.interpreter import NluInterpreter
from nlu.prediction import Prediction
from nlu.rasa_client import FallbackClassifier

from .conftest import nlu_config

TEXT = Expectation("text")
YES_NO = Expectation("choice", (("oui", "Oui"), ("non", "Non")))
OPINION = Expectation("choice", (("d_accord", "D'accord"), ("pas_d_accord", "Pas d'accord"),
                                 ("nsp", "Je ne sais pas")))  # fmt: skip


@pytest.fixture(scope="module")
def interpreter(embedded: EmbeddedClassifier, tmp_path_factory: pytest.TempPathFactory) -> NluInterpreter:
    return NluInterpreter(embedded, nlu_config(tmp_path_factory.mktemp("config")).thresholds)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("cest tjr moi ki fait le menage", "taches_domestiques"),
        ("les femmes sont moins payées que les hommes", "travail"),
        ("il y a trop de harcèlement dans le métro", "espace_public"),
        ("à l'école on dit aux filles de pas faire de maths", "education"),
        ("je suis en fauteuil et la mairie est pas accessible", "handicap"),
    ],
)
def test_free_text_is_read_as_a_theme(interpreter: NluInterpreter, text: str, theme: str) -> None:
    meaning = interpreter.interpret(text, TEXT)
    assert meaning.theme == theme and meaning.source == "embedded"
    assert meaning.command is None and not meaning.danger
    assert meaning.confidence >= 0.3


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("redis voir", "repeter"),
        ("g raté la question", "repeter"),
        ("je capte pas ce qu'il faut faire", "aide"),
    ],
)
def test_model_catches_navigation_the_rules_miss(
    interpreter: NluInterpreter, text: str, command: str
) -> None:
    assert interpreter.rules.interpret(text, TEXT).command is None
    meaning = interpreter.interpret(text, TEXT)
    assert meaning.command == command and meaning.source == "embedded"


def test_model_danger_above_threshold_flags_danger(interpreter: NluInterpreter) -> None:
    text = "il devient violent quand il a bu"
    assert not interpreter.rules.interpret(text, TEXT).danger
    meaning = interpreter.interpret(text, OPINION)
    assert meaning.danger and meaning.intent == "danger" and meaning.choice is None


def test_yes_no_and_dont_know_map_onto_choices(interpreter: NluInterpreter) -> None:
    assert interpreter.interpret("ouais", YES_NO).choice == "oui"
    assert interpreter.interpret("non merci", YES_NO).choice == "non"
    assert interpreter.interpret("je saurais pas trop vous dire", OPINION).choice == "nsp"


def test_a_theme_picks_the_choice_keyed_by_that_theme(interpreter: NluInterpreter) -> None:
    topics = Expectation("choice", (("travail", "Au travail"), ("sante", "La santé"),
                                    ("espace_public", "Dans la rue")))  # fmt: skip
    meaning = interpreter.interpret("les salaires des femmes sont trop bas", topics)
    assert meaning.choice == "travail" and meaning.theme == "travail"
    assert interpreter.interpret("les salaires des femmes sont trop bas", OPINION).choice is None


def test_destructive_commands_need_more_confidence(interpreter: NluInterpreter) -> None:
    unsure = Prediction("stop", 0.6, (("stop", 0.6),), "embedded")
    sure = Prediction("stop", 0.8, (("stop", 0.8),), "embedded")
    text = "vous pouvez cesser tout ça"
    assert interpreter.map_prediction(unsure, text, OPINION).command is None
    assert interpreter.map_prediction(sure, text, OPINION).command == "stop"
    long_text = "je veux plus qu'on me parle comme ça au travail, c'est fini ces remarques"
    assert interpreter.map_prediction(sure, long_text, OPINION).command is None


@pytest.mark.parametrize(
    "text",
    ["effacer les inégalités", "supprimez les stéréotypes", "stop aux violences",
     "STOP au sexisme", "arrêter les violences", "plus de crèches"],
)  # fmt: skip
def test_opinions_with_command_words_are_answers(interpreter: NluInterpreter, text: str) -> None:
    meaning = interpreter.interpret(text, TEXT)
    assert meaning.command is None and not meaning.danger


def test_unsure_theme_is_not_claimed(interpreter: NluInterpreter) -> None:
    unsure = Prediction("sante", 0.2, (("sante", 0.2), ("autre", 0.18)), "embedded")
    meaning = interpreter.map_prediction(unsure, "bof", TEXT)
    assert meaning.theme is None and meaning.confidence == 0.2


def test_rules_still_win_before_the_model(interpreter: NluInterpreter) -> None:
    assert interpreter.interpret("STOP", TEXT).source == "rules"
    assert interpreter.interpret("mon mari me frappe", TEXT).danger
    assert interpreter.interpret("je ne veux pas arrêter de travailler", TEXT).command is None


def test_factory_builds_the_configured_backend(tmp_path: Path) -> None:
    data = tmp_path.parent / f"{tmp_path.name}-nlu.yml"
    data.write_text('version: "3.1"\nnlu:\n- intent: merci\n  examples: |\n    - merci\n'
                    "- intent: salutation\n  examples: |\n    - bonjour\n")  # fmt: skip
    configs = tmp_path.parent / f"{tmp_path.name}-config"
    configs.mkdir()
    embedded = build_interpreter(nlu_config(configs, backend="embedded"), tmp_path, data)
    assert isinstance(embedded, NluInterpreter)
    assert isinstance(embedded.classifier, EmbeddedClassifier)
    config = nlu_config(configs, backend="rasa", rasa_url="http://127.0.0.1:9", timeout_seconds=0.5,
                        thresholds={"theme": 0.4})  # fmt: skip
    rasa = build_interpreter(config, tmp_path)
    assert isinstance(rasa, NluInterpreter) and isinstance(rasa.classifier, FallbackClassifier)
    assert rasa.thresholds.theme == 0.4
    assert rasa.thresholds.intent == embedded.thresholds.intent == 0.5, "config.yml's for the rest"
    assert list(tmp_path.iterdir()) == [], "models load lazily, not when built"
    embedded.warm()
    assert list(tmp_path.glob("embedded-*.joblib")), "warm() trains and caches the model"


@pytest.mark.parametrize(
    ("section", "reason"),
    [({"backend": "spacy"}, r"nlu\.backend must be one of embedded, rasa"),
     ({"timeout_seconds": "soon"}, r"nlu\.timeout_seconds has a wrong value"),
     ({"timeout_seconds": 0}, r"nlu\.timeout_seconds must be positive"),
     ({"thresholds": {"themes": 0.3}}, r"unknown key nlu\.thresholds\.themes")],
)  # fmt: skip
def test_a_bad_section_is_refused_by_name(tmp_path: Path, section: dict[str, object], reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        nlu_config(tmp_path, **section)


def test_default_cache_is_shared_and_outside_the_clone() -> None:
    assert default_cache_dir({"HOME": "/home/ana"}) == Path("/home/ana/.cache/porte-voix/nlu")
    assert default_cache_dir({"PORTE_VOIX_CACHE_DIR": "/srv/cache"}) == Path("/srv/cache")
