"""Evaluate a backend or the live interpreter on a labelled file: per-label scores, accuracy, macro-F1."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlu.interpretation import THEMES, Expectation, Interpreter
from nlu.prediction import Classifier
from nlu.training_data import Example

# The gold label of a text that should get no theme, and what an empty theme is scored as.
NO_THEME = "none"
THEME_LABELS: tuple[str, ...] = (*THEMES, NO_THEME)
FREE_TEXT = Expectation("text")


@dataclass(frozen=True)
class LabelScore:
    """Precision, recall and F1 of one label, with its number of gold examples."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """The result of one evaluation run."""

    backend: str
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Return the number of evaluated examples."""
        return len(self.gold)

    @property
    def accuracy(self) -> float:
        """Return the share of examples whose predicted label is the gold one."""
        return sum(g == p for g, p in zip(self.gold, self.predicted, strict=True)) / max(self.n, 1)

    def scores(self) -> list[LabelScore]:
        """Return one score per label seen in the gold or the predictions, sorted by name."""
        pairs = list(zip(self.gold, self.predicted, strict=True))
        result = []
        for label in sorted(set(self.gold) | set(self.predicted)):
            tp = sum(g == p == label for g, p in pairs)
            predicted = sum(p == label for _, p in pairs)
            support = sum(g == label for g, _ in pairs)
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            result.append(LabelScore(label, precision, recall, f1, support))
        return result

    @property
    def macro_f1(self) -> float:
        """Return the unweighted mean F1 over labels (as scikit-learn's average='macro')."""
        scores = self.scores()
        return sum(s.f1 for s in scores) / len(scores) if scores else 0.0

    def percentile_ms(self, q: float) -> float:
        """Return a latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    def summary(self) -> str:
        """Return the one-line summary the CLI prints last."""
        return (f"backend={self.backend} accuracy={self.accuracy:.3f} "
                f"macro_f1={self.macro_f1:.3f} n={self.n}")  # fmt: skip

    def table(self) -> list[str]:
        """Return the per-label precision/recall lines."""
        lines = [f"{'label':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}"]
        for s in self.scores():
            lines.append(f"{s.label:<20} {s.precision:>9.3f} {s.recall:>7.3f} "
                         f"{s.f1:>6.3f} {s.support:>4}")  # fmt: skip
        return lines


def evaluate(classifier: Classifier, examples: Iterable[Example]) -> Report:
    """Classify every example, timing each call."""
    report = Report(classifier.name)
    for example in examples:
        started = time.perf_counter()
        prediction = classifier.classify(example.text)
        report.latencies.append(time.perf_counter() - started)
        report.gold.append(example.label)
        report.predicted.append(prediction.label)
        report.sources.append(prediction.source)
    return report


def evaluate_themes(interpreter: Interpreter, examples: Iterable[Example], name: str) -> Report:
    """Interpret every example as a free-text answer, as the bot does; score its theme."""
    report = Report(name)
    for example in examples:
        started = time.perf_counter()
        meaning = interpreter.interpret(example.text, FREE_TEXT)
        report.latencies.append(time.perf_counter() - started)
        report.gold.append(example.label)
        report.predicted.append(meaning.theme or NO_THEME)
        report.sources.append(meaning.source)
    return report
