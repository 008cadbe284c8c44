"""NLU fixtures: one embedded model trained per test session, in a temporary cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import EmbeddedClassifier
from nlu.training_data import Example, load_examples

HELDOUT = Path(__file__).resolve().parent / "heldout.yml"


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
