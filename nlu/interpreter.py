"""The full interpreter: rules first, then a statistical backend mapped onto the step."""

from __future__ import annotations

from dataclasses import dataclass, replace

from nlu.choices import match_choice_exact
from nlu.commands import CommandInterpreter
from nlu.interpretation import THEMES, Expectation, Interpretation
from nlu.prediction import Classifier, Prediction
from nlu.text import words

NAVIGATION = ("aide", "repeter", "retour", "pause", "stop", "effacer")
DESTRUCTIVE = ("stop", "effacer")
ANSWER_TEXT = {"oui": "oui", "non": "non", "ne_sait_pas": "je ne sais pas"}


@dataclass(frozen=True)
class Thresholds:
    """How confident the backend must be before its answer is acted upon (config.yml nlu.thresholds)."""

    theme: float
    intent: float
    destructive: float
    danger: float
    command_max_words: int


class NluInterpreter:
    """Run the command/danger rules, then ask the statistical backend and map its label."""

    def __init__(self, classifier: Classifier, thresholds: Thresholds) -> None:
        self.rules = CommandInterpreter()
        self.classifier = classifier
        self.thresholds = thresholds

    def warm(self) -> None:
        """Load (or train) the model now, so the first participant does not wait for it."""
        self.classifier.classify("bonjour")

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        """Interpret one text given what the waiting step expects."""
        ruled = self.rules.interpret(text, expects)
        if ruled.danger or ruled.choice or ruled.command or not words(text):
            return ruled
        return self.map_prediction(self.classifier.classify(text), text, expects)

    def map_prediction(self, prediction: Prediction, text: str,
                       expects: Expectation) -> Interpretation:  # fmt: skip
        """Turn a backend's label into a command, a choice, a theme or a danger flag."""
        limits = self.thresholds
        label, confidence = prediction.label, prediction.confidence
        base = Interpretation(confidence=confidence, source=prediction.source,
                              ranking=prediction.ranking[:5])  # fmt: skip
        if label == "danger" and confidence >= limits.danger:
            return replace(base, intent="danger", danger=True)
        if label in ANSWER_TEXT and expects.choices and confidence >= limits.intent:
            choice = match_choice_exact(ANSWER_TEXT[label], expects)
            if choice is not None:
                return replace(base, choice=choice, intent=label)
        keys = {key for key, _ in expects.choices}
        if label in keys and label in THEMES and confidence >= limits.intent:
            return replace(base, choice=label, theme=label)  # a step whose choices are themes
        if label in NAVIGATION and self._command_allowed(label, confidence, text, expects):
            return replace(base, command=label, intent=label)
        theme = self._theme(prediction)
        intent = label if label not in THEMES else None
        return replace(base, intent=intent, theme=theme)

    def _command_allowed(self, label: str, confidence: float, text: str, expects: Expectation) -> bool:
        """Say whether a predicted navigation intent is sure and short enough to act on.

        On a free-text step the model never stops or erases: "effacer les inégalités" is an
        answer. Only the rules, which need the whole text to say it, do that there.
        """
        if label in DESTRUCTIVE and expects.kind == "text":
            return False
        floor = self.thresholds.destructive if label in DESTRUCTIVE else self.thresholds.intent
        return confidence >= floor and len(words(text)) <= self.thresholds.command_max_words

    def _theme(self, prediction: Prediction) -> str | None:
        """Return the predicted theme when the backend is confident enough in it."""
        if prediction.label in THEMES and prediction.confidence >= self.thresholds.theme:
            return prediction.label
        return None
