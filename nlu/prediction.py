"""What a statistical backend answers for one text, and the protocol of every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Prediction:
    """The best label for a text, its confidence, and the ranking of the labels."""

    label: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = field(default=())
    source: str = "none"

    def score(self, label: str) -> float:
        """Return the confidence of one label (0 when it is not ranked)."""
        return dict(self.ranking).get(label, self.confidence if label == self.label else 0.0)


class Classifier(Protocol):
    """A statistical backend: text in, Prediction out."""

    name: str

    def classify(self, text: str) -> Prediction:
        """Predict the label of one text."""
        ...
