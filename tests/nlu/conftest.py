"""NLU fixtures: one embedded model trained per test session, in a temporary cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import load_settings
from nlu.embedded import EmbeddedClassifier
from nlu.factory import NluConfig
from nlu.training_data import Example, load_examples

HELDOUT = Path(__file__).resolve().parent / "heldout.yml"
REALISTIC = Path(__file__).resolve().parent / "heldout_realistic.yml"


def nlu_config(directory: Path, **section: Any) -> NluConfig:
    """Return the `nlu:` section of a config.yml holding only these keys, as the service reads it."""
    path = directory / "config.yml"
    path.write_text(yaml.safe_dump({"nlu": section}), encoding="utf-8")
    return load_settings({}, path).typed(NluConfig)


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a cache directory shared by the session's NLU tests."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def embedded(nlu_cache: Path) -> EmbeddedClassifier:
    """Return the embedded classifier, trained once for the session."""
    classifier = EmbeddedClassifier(nlu_cache)
    classifier.load()
    return classifier


@pytest.fixture(scope="session")
def heldout() -> list[Example]:
    """Return the held-out evaluation examples."""
    return load_examples(HELDOUT)
