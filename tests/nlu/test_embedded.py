"""The embedded classifier: held-out quality, caching by data hash, lazy training."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlu.embedded import EmbeddedClassifier, char_wb_ngrams, model_path, prepare, scorer_path, train_cached
from nlu.evaluation import evaluate
from nlu.training_data import TRAINING_DATA, Example, load_examples

# Measured 0.960 accuracy / 0.959 macro-F1 on the held-out file; the floor sits a few points
# under it so a real regression fails and noise does not.
ACCURACY_FLOOR = 0.90
MACRO_F1_FLOOR = 0.89


def test_heldout_accuracy_stays_above_the_floor(embedded: EmbeddedClassifier, heldout: list[Example]) -> None:
    report = evaluate(embedded, heldout)
    print("\n" + "\n".join(report.table()) + "\n" + report.summary())
    assert report.accuracy >= ACCURACY_FLOOR
    assert report.macro_f1 >= MACRO_F1_FLOOR


def test_misspelled_free_text_gets_its_theme(embedded: EmbeddedClassifier) -> None:
    assert embedded.classify("cest tjr moi ki fait le menage").label == "taches_domestiques"
    assert embedded.classify("les fammes sont moin payer que les hommes").label == "travail"
    assert embedded.classify("dans le bus le soir jai peur des mecs").label == "espace_public"


def test_prediction_ranks_every_label_with_probabilities(embedded: EmbeddedClassifier) -> None:
    prediction = embedded.classify("merci beaucoup")
    assert prediction.label == "merci" and prediction.source == "embedded"
    assert len(prediction.ranking) == 22
    assert abs(sum(score for _, score in prediction.ranking) - 1) < 0.01
    assert prediction.ranking[0] == (prediction.label, prediction.confidence)


def test_fast_scoring_gives_scikit_learns_probabilities(
    embedded: EmbeddedClassifier, heldout: list[Example]
) -> None:
    # classify() does the pipeline's arithmetic itself (8x faster per text); it must stay the
    # same model: same probabilities as predict_proba on every training and held-out text,
    # and on texts with no known n-gram at all.
    texts = [prepare(e.text) for e in load_examples(TRAINING_DATA) + heldout]
    texts += ["", "   ", "qqq xxz", "\u00e9\u00e9\u00e9", "\U0001f600", "a" * 2000]
    expected = embedded.load().predict_proba(texts)
    scorer = embedded.scorer()
    got = np.array([scorer.probabilities(text) for text in texts])
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-9
    labels = [embedded.classify(e.text).label for e in heldout]
    assert labels == [str(label) for label in embedded.load().predict([prepare(e.text) for e in heldout])]


SMALL = """version: "3.1"
nlu:
- intent: salutation
  examples: |
    - bonjour
    - coucou
    - salut
- intent: merci
  examples: |
    - merci
    - merci beaucoup
    - mrc
"""


def test_model_is_trained_once_and_reused_from_the_cache(tmp_path: Path) -> None:
    data = tmp_path / "nlu.yml"
    data.write_text(SMALL, encoding="utf-8")
    cache = tmp_path / "cache"
    first = EmbeddedClassifier(cache, data)
    assert not model_path(cache, data).exists()
    first.classify("bonjour")
    path = model_path(cache, data)
    stamp = path.stat().st_mtime_ns
    second = EmbeddedClassifier(cache, data)
    assert second.classify("bonjour").label == "salutation"
    assert path.stat().st_mtime_ns == stamp
    assert sorted(cache.iterdir()) == [path, scorer_path(path)]


def test_changing_the_data_trains_a_new_model(tmp_path: Path) -> None:
    data = tmp_path / "nlu.yml"
    data.write_text(SMALL, encoding="utf-8")
    before = train_cached(tmp_path / "cache", data)
    with data.open("a", encoding="utf-8") as handle:
        handle.write("    - merci bien\n")
    after = train_cached(tmp_path / "cache", data)
    assert before != after and before.exists() and after.exists()


def test_an_unreadable_cached_model_is_retrained(tmp_path: Path) -> None:
    data = tmp_path / "nlu.yml"
    data.write_text(SMALL, encoding="utf-8")
    path = train_cached(tmp_path / "cache", data)
    path.write_bytes(b"not a model")
    scorer_path(path).write_bytes(b"not arrays either")
    classifier = EmbeddedClassifier(tmp_path / "cache", data)
    assert classifier.classify("coucou").label == "salutation"
    assert classifier.load().predict(["coucou"])[0] == "salutation"


def test_missing_arrays_are_rebuilt_from_the_cached_pipeline(tmp_path: Path) -> None:
    # A cache written before the arrays existed holds only the pipeline.
    data = tmp_path / "nlu.yml"
    data.write_text(SMALL, encoding="utf-8")
    path = train_cached(tmp_path / "cache", data)
    scorer_path(path).unlink()
    stamp = path.stat().st_mtime_ns
    assert EmbeddedClassifier(tmp_path / "cache", data).classify("mrc").label == "merci"
    assert scorer_path(path).exists() and path.stat().st_mtime_ns == stamp, "not retrained"


def test_the_ngrams_are_scikit_learns(embedded: EmbeddedClassifier, heldout: list[Example]) -> None:
    analyze = embedded.load().named_steps["features"].build_analyzer()
    texts = [prepare(e.text) for e in load_examples(TRAINING_DATA) + heldout]
    texts += ["", " a  b\tc\n", "x", "ab", "\U0001f600 \u00e9t\u00e9", "a" * 50]
    for text in texts:
        assert char_wb_ngrams(text, 1, 5) == analyze(text), text


def test_fast_scoring_matches_a_two_class_model_too(tmp_path: Path) -> None:
    # scikit-learn keeps one coefficient row for two classes (a sigmoid, not a softmax).
    data = tmp_path / "nlu.yml"
    data.write_text(SMALL, encoding="utf-8")
    classifier = EmbeddedClassifier(tmp_path / "cache", data)
    texts = ["bonjour", "mrc", "merci bien", "", "autre chose"]
    expected = classifier.load().predict_proba(texts)
    got = np.array([classifier.scorer().probabilities(text) for text in texts])
    assert np.abs(got - expected).max() < 1e-9
