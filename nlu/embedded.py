"""The embedded backend: a character n-gram TF-IDF and a linear model, trained in seconds.

It learns from the same `nlu/rasa/data/nlu.yml` as the Rasa backend, and caches the fitted
model under a cache directory by a hash of the data file, this module's model version and
scikit-learn's version, so a change of any of them retrains on next use.

Two files per model: the scikit-learn pipeline (`.joblib`, for training, evaluation and tests)
and its arithmetic as plain arrays (`.npz`: n-grams, idf, coefficients). A serving process
reads only the arrays: scikit-learn and scipy (about 100 MB of memory) are never imported there.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
import time
import zipfile
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
               ImportError, pickle.UnpicklingError, zipfile.BadZipFile)  # fmt: skip
# The arrays file's layout; a file of another layout is rebuilt from the pipeline.
SCORER_FORMAT = "fast-scorer-1"


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


def scorer_path(model: Path) -> Path:
    """Return where the arrays of the model at `model` are cached (next to it)."""
    return model.with_suffix(".npz")


def _atomic_write(path: Path, write: Any) -> None:
    """Write a file through `write(temporary path)` and rename it, so no reader sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _save(pipeline: Pipeline, path: Path) -> None:
    """Write a model and its arrays: the arrays first, so a cached model always has them."""
    import joblib

    scorer = FastScorer.from_pipeline(pipeline)
    _atomic_write(scorer_path(path), scorer.save)
    _atomic_write(path, lambda tmp: joblib.dump(pipeline, tmp))


def train_cached(cache_dir: Path, data_path: Path = TRAINING_DATA, force: bool = False) -> Path:
    """Train on the data file unless a cached model for it exists; return the model path.

    A cached model without its arrays (a cache from an older version) gets them written.
    """
    path = model_path(cache_dir, data_path)
    if path.exists() and not force:
        if not scorer_path(path).exists():
            load_scorer(path, cache_dir, data_path)
        return path
    started = time.perf_counter()
    examples = load_examples(data_path)
    _save(train(examples), path)
    log.info("embedded NLU trained on %d examples in %.1fs", len(examples),
             time.perf_counter() - started)  # fmt: skip
    return path


def is_cached(cache_dir: Path, data_path: Path = TRAINING_DATA) -> bool:
    """Say whether the model of this data file and its arrays are both in the cache."""
    path = model_path(cache_dir, data_path)
    return path.exists() and scorer_path(path).exists()


# Models already loaded in this process, by path: every interpreter shares one copy.
_LOADED: dict[Path, Any] = {}
_LOADED_LOCK = threading.Lock()


def load_model(path: Path, cache_dir: Path, data_path: Path) -> Any:
    """Return the model at path, loading it once per process and retraining if unreadable."""
    import joblib  # with scikit-learn, which unpickling the pipeline imports

    with _LOADED_LOCK:
        if path not in _LOADED:
            try:
                _LOADED[path] = joblib.load(path)
            except _UNREADABLE as exc:
                log.warning("cached NLU model unreadable (%s); retraining", type(exc).__name__)
                _LOADED[path] = joblib.load(train_cached(cache_dir, data_path, force=True))
        return _LOADED[path]


def load_scorer(path: Path, cache_dir: Path, data_path: Path) -> FastScorer:
    """Return the arrays of the model at path, once per process, without scikit-learn.

    Arrays that are missing or unreadable are rebuilt: from the pipeline when it loads,
    else by training again.
    """
    key = scorer_path(path)
    with _LOADED_LOCK:
        if key in _LOADED:
            return _LOADED[key]  # type: ignore[no-any-return]
    try:
        scorer = FastScorer.load(key)
    except _UNREADABLE as exc:
        log.warning("cached NLU arrays missing or unreadable (%s); rebuilding them", type(exc).__name__)
        scorer = FastScorer.from_pipeline(load_model(path, cache_dir, data_path))
        _atomic_write(key, scorer.save)
    with _LOADED_LOCK:
        return _LOADED.setdefault(key, scorer)  # type: ignore[no-any-return]


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """Return the n-grams of scikit-learn's `char_wb` analyzer: inside words, padded by a space.

    The same list, in the same order, as TfidfVectorizer(analyzer="char_wb").build_analyzer()
    with lowercase=False and no accent stripping (prepare() folds the text already).
    """
    ngrams: list[str] = []
    append = ngrams.append
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(padded[:n])
            while offset + n < length:
                offset += 1
                append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return ngrams


class FastScorer:
    """The fitted pipeline's arithmetic for one text, without scikit-learn.

    predict_proba on a single text spends most of its 1-2 ms validating inputs and building
    sparse matrices; the model itself is a few hundred n-gram lookups and one small product.
    This does the same sums (the vectoriser's char_wb n-grams, sublinear tf, idf, l2 norm, then
    the multinomial logistic regression's softmax); tests check it against predict_proba.
    """

    def __init__(self, terms: list[str], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 classes: list[str], ngram_range: tuple[int, int]) -> None:  # fmt: skip
        self.vocabulary: dict[str, int] = {term: index for index, term in enumerate(terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        coef, intercept = np.asarray(coef, np.float64), np.asarray(intercept, np.float64)
        if coef.shape[0] == 1:  # two classes: p = expit(d), which is softmax over (0, d)
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        self.coef_t = np.ascontiguousarray(coef.T)
        self.intercept = intercept
        self.classes = [str(c) for c in classes]
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> FastScorer:
        """Take the arrays of a fitted pipeline made by build_pipeline()."""
        features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        if not (features.sublinear_tf and features.use_idf and features.norm == "l2"
                and features.binary is False and features.analyzer == "char_wb"
                and features.lowercase is False and features.strip_accents is None
                and features.preprocessor is None):  # fmt: skip
            raise ValueError("FastScorer supports the pipeline build_pipeline() makes")
        terms = [""] * len(features.vocabulary_)
        for term, index in features.vocabulary_.items():
            terms[index] = term
        return cls(terms, features.idf_, model.coef_, model.intercept_, list(model.classes_),
                   features.ngram_range)  # fmt: skip

    def save(self, path: str | Path) -> None:
        """Write the arrays to an .npz file (no pickle: loading runs no code)."""
        terms = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            terms[index] = term
        with open(path, "wb") as handle:
            np.savez(handle, format=np.array(SCORER_FORMAT), terms=np.array(terms, dtype=str),
                     idf=self.idf, coef_t=self.coef_t, intercept=self.intercept,
                     classes=np.array(self.classes, dtype=str),
                     ngram_range=np.array(self.ngram_range))  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> FastScorer:
        """Read arrays written by save(); a file of another layout raises ValueError."""
        with np.load(path, allow_pickle=False) as arrays:
            if str(arrays["format"]) != SCORER_FORMAT:
                raise ValueError(f"not a {SCORER_FORMAT} file")
            coef_t, intercept = arrays["coef_t"], arrays["intercept"]
            low, high = arrays["ngram_range"].tolist()
            return cls(arrays["terms"].tolist(), arrays["idf"], coef_t.T, intercept,
                       arrays["classes"].tolist(), (low, high))  # fmt: skip

    def analyze(self, text: str) -> list[str]:
        """Return the n-grams of one prepared text."""
        return char_wb_ngrams(text, *self.ngram_range)

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
        """Return the fitted scikit-learn model (evaluation, tests), training it when missing."""
        with self._lock:
            if self._pipeline is None:
                path = train_cached(self.cache_dir, self.data_path)
                self._pipeline = load_model(path, self.cache_dir, self.data_path)
            return self._pipeline

    def scorer(self) -> FastScorer:
        """Return the model's arrays, what classify() uses; training the model when missing."""
        with self._lock:
            if self._scorer is None:
                path = train_cached(self.cache_dir, self.data_path)
                self._scorer = load_scorer(path, self.cache_dir, self.data_path)
            return self._scorer

    def classify(self, text: str) -> Prediction:
        """Predict the label of one text with its probability and the full ranking."""
        scorer = self.scorer()
        probabilities = scorer.probabilities(prepare(text))
        ranked = sorted(zip(scorer.classes, probabilities.tolist(), strict=True),
                        key=lambda p: -p[1])  # fmt: skip
        ranking = tuple((label, round(p, 4)) for label, p in ranked)
        return Prediction(ranking[0][0], ranking[0][1], ranking, source=self.name)
