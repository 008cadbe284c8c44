"""The training data and the held-out file: coverage, format, and no leak between them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.interpretation import INTENTS, THEMES
from nlu.text import canonical, normalise
from nlu.training_data import TrainingDataError, load_examples

from .conftest import HELDOUT


def test_every_label_has_at_least_25_training_examples() -> None:
    counts = Counter(e.label for e in load_examples())
    assert set(counts) == set(INTENTS + THEMES)
    assert min(counts.values()) >= 25, counts.most_common()[-3:]


def test_heldout_covers_every_label_with_at_least_6_examples() -> None:
    counts = Counter(e.label for e in load_examples(HELDOUT))
    assert set(counts) == set(INTENTS + THEMES)
    assert min(counts.values()) >= 6


def test_no_heldout_text_appears_in_the_training_data() -> None:
    trained = {normalise(e.text) for e in load_examples()}
    leaked = [e.text for e in load_examples(HELDOUT) if normalise(e.text) in trained]
    assert leaked == []


def test_no_training_text_has_two_labels() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for example in load_examples():
        key = canonical(example.text)
        if seen.setdefault(key, example.label) != example.label:
            clashes.append((example.text, seen[key], example.label))
    assert clashes == []


def test_entity_annotations_are_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: sante\n  examples: |\n'
                    "    - pas de medecin a [Laval](city)\n", encoding="utf-8")  # fmt: skip
    assert [e.text for e in load_examples(path)] == ["pas de medecin a Laval"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('version: "3.1"\nnlu:\n- intent: meteo\n  examples: |\n    - il pleut\n', "unknown label"),
        ('version: "2.0"\nnlu: []\n', "version"),
        ('version: "3.1"\nnlu:\n- intent: oui\n  examples: |\n    oui\n', "must start '- '"),
        ("nlu: [unclosed", "cannot read"),
    ],
)
def test_a_broken_file_is_refused_with_its_name_and_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "eval.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError) as error:
        load_examples(path)
    assert str(path) in str(error.value) and reason in str(error.value)
