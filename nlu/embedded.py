"""The embedded backend: a character n-gram TF-IDF and a linear model, trained in seconds.

It learns from the same `nlu/rasa/data/nlu.yml` as the Rasa backend, and caches the fitted
model under a cache directory by a hash of the data file, this module's model version and
scikit-learn's version, so a change of any of them retrains on next use.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np

from nlu.prediction import Prediction
from nlu.text import words
from nlu.training_data import TRAINING_DATA, Example, file_digest, load_examples

if TYPE_CHECKING:  # scikit-learn takes 1.5 s to import: only when a model is trained or loaded
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

# Bump when the features or the model change, so cached models are retrained.
MODEL_VERSION = "canonical-plural-char-wb-1-5-logreg-c30-v3"
# What unpickling a truncated or foreign file raises.
_UNREADABLE = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
               ImportError, pickle.UnpicklingError)  # fmt: skip


def _singular(word: str) -> str:
    """Drop a plural's final s or x, so "salaires" and "salaire" share their n-grams."""
    return word[:-1] if len(word) > 4 and word[-1] in "sx" else word


def prepare(text: str) -> str:
    """Fold a text for the model: canonical words (no accents, SMS spelling), no plurals."""
    return " ".join(_singular(word) for word in words(text))


def build_pipeline() -> Pipeline:
    """Return the untrained model: char_wb 1-5 grams TF-IDF into a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # prepare() already lower-cases and strips accents: the vectoriser need not do it again.
    features = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True,
                               lowercase=False)  # fmt: skip
    return Pipeline([("features", features), ("model", LogisticRegression(C=30, max_iter=3000))])


def train(examples: list[Example]) -> Pipeline:
    """Fit a fresh model on labelled examples."""
    pipeline = build_pipeline()
    pipeline.fit([prepare(e.text) for e in examples], [e.label for e in examples])
    return pipeline


def model_path(cache_dir: Path, data_path: Path = TRAINING_DATA) -> Path:
    """Return where the model for this data file and code version is cached."""
    digest = file_digest(data_path, extra=f"{MODEL_VERSION}|sklearn={version('scikit-learn')}")
    return cache_dir / f"embedded-{digest}.joblib"


def _save(pipeline: Pipeline, path: Path) -> None:
    """Write a model atomically, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(pipeline, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def train_cached(cache_dir: Path, data_path: Path = TRAINING_DATA, force: bool = False) -> Path:
    """Train on the data file unless a cached model for it exists; return the model path."""
    path = model_path(cache_dir, data_path)
    if path.exists() and not force:
        return path
    started = time.perf_counter()
    examples = load_examples(data_path)
    _save(train(examples), path)
    log.info("embedded NLU trained on %d examples in %.1fs", len(examples),
             time.perf_counter() - started)  # fmt: skip
    return path


# Models already loaded in this process, by path: every interpreter shares one copy.
_LOADED: dict[Path, Any] = {}
_LOADED_LOCK = threading.Lock()


def load_model(path: Path, cache_dir: Path, data_path: Path) -> Any:
    """Return the model at path, loading it once per process and retraining if unreadable."""
    with _LOADED_LOCK:
        if path not in _LOADED:
            try:
                _LOADED[path] = joblib.load(path)
            except _UNREADABLE as exc:
                log.warning("cached NLU model unreadable (%s); retraining", type(exc).__name__)
                _LOADED[path] = joblib.load(train_cached(cache_dir, data_path, force=True))
        return _LOADED[path]


class FastScorer:
    """The fitted pipeline's arithmetic for one text, without scikit-learn's per-call overhead.

    predict_proba on a single text spends most of its 1-2 ms validating inputs and building
    sparse matrices; the model itself is a few hundred n-gram lookups and one small product.
    This does the same sums (the vectoriser's own analyzer, sublinear tf, idf, l2 norm, then the
    multinomial logistic regression's softmax); tests check it against predict_proba.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        if not (features.sublinear_tf and features.use_idf and features.norm == "l2"
                and features.binary is False):  # fmt: skip
            raise ValueError("FastScorer supports the pipeline build_pipeline() makes")
        self.analyze = features.build_analyzer()
        self.vocabulary: dict[str, int] = features.vocabulary_
        self.idf = np.asarray(features.idf_, dtype=np.float64)
        coef, intercept = np.asarray(model.coef_, np.float64), np.asarray(model.intercept_, np.float64)
        if coef.shape[0] == 1:  # two classes: p = expit(d), which is softmax over (0, d)
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        self.coef_t = np.ascontiguousarray(coef.T)
        self.intercept = intercept
        self.classes = [str(c) for c in model.classes_]

    def probabilities(self, text: str) -> np.ndarray:
        """Return the class probabilities of one prepared text, as predict_proba would."""
        counts: Counter[int | None] = Counter(map(self.vocabulary.get, self.analyze(text)))
        counts.pop(None, None)  # n-grams the model never saw
        scores = self.intercept.copy()
        if counts:
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            weights = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
                       + 1.0) * self.idf[indices]  # fmt: skip
            weights /= np.sqrt(weights @ weights)
            scores += weights @ self.coef_t[indices]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


class EmbeddedClassifier:
    """The in-process backend; loads or trains its model lazily on first use."""

    name = "embedded"

    def __init__(self, cache_dir: Path, data_path: Path = TRAINING_DATA) -> None:
        self.cache_dir = cache_dir
        self.data_path = data_path
        self._pipeline: Any = None
        self._scorer: FastScorer | None = None
        self._lock = threading.Lock()

    def load(self) -> Pipeline:
        """Return the fitted model, training it first when no cached one matches the data."""
        with self._lock:
            if self._pipeline is None:
                path = train_cached(self.cache_dir, self.data_path)
                self._pipeline = load_model(path, self.cache_dir, self.data_path)
                self._scorer = FastScorer(self._pipeline)
            return self._pipeline

    def classify(self, text: str) -> Prediction:
        """Predict the label of one text with its probability and the full ranking."""
        self.load()
        assert self._scorer is not None
        probabilities = self._scorer.probabilities(prepare(text))
        ranked = sorted(zip(self._scorer.classes, probabilities.tolist(), strict=True),
                        key=lambda p: -p[1])  # fmt: skip
        ranking = tuple((label, round(p, 4)) for label, p in ranked)
        return Prediction(ranking[0][0], ranking[0][1], ranking, source=self.name)
