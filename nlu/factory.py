"""Build the configured interpreter from config.yml's `nlu:` section."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from nlu.embedded import EmbeddedClassifier
from nlu.interpretation import Interpreter
from nlu.interpreter import NluInterpreter, Thresholds
from nlu.prediction import Classifier
from nlu.rasa_client import CircuitBreaker, FallbackClassifier, RasaClassifier
from nlu.training_data import TRAINING_DATA


@dataclass(frozen=True)
class NluConfig:
    """config.yml `nlu:`: the statistical backend, how Rasa is reached, the thresholds."""

    SECTION: ClassVar[str] = "nlu"
    backend: Literal["embedded", "rasa"]
    rasa_url: str
    timeout_seconds: float
    breaker_failures: int
    breaker_cooldown_seconds: float
    thresholds: Thresholds

    def __post_init__(self) -> None:
        for name in ("timeout_seconds", "breaker_failures", "breaker_cooldown_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")


def build_classifier(config: NluConfig, cache_dir: Path, training_data: Path = TRAINING_DATA) -> Classifier:
    """Return the statistical backend the section names (rasa falls back to embedded)."""
    embedded = EmbeddedClassifier(cache_dir, training_data)
    if config.backend == "embedded":
        return embedded
    rasa = RasaClassifier(config.rasa_url, config.timeout_seconds)
    breaker = CircuitBreaker(config.breaker_failures, config.breaker_cooldown_seconds)
    return FallbackClassifier(rasa, embedded, breaker)


def default_cache_dir(env: dict[str, str] | None = None) -> Path:
    """Return where models are cached by default: $PORTE_VOIX_CACHE_DIR or ~/.cache/porte-voix/nlu.

    The embedded model depends only on the training data and the code, so one cache serves
    every data directory (and every test) on the machine.
    """
    env = dict(os.environ if env is None else env)
    if env.get("PORTE_VOIX_CACHE_DIR"):
        return Path(env["PORTE_VOIX_CACHE_DIR"])
    return Path(env.get("HOME") or Path.home()) / ".cache" / "porte-voix" / "nlu"


def build_interpreter(config: NluConfig, cache_dir: Path, training_data: Path = TRAINING_DATA) -> Interpreter:
    """Return rules-then-statistics interpretation as configured; models load lazily."""
    return NluInterpreter(build_classifier(config, cache_dir, training_data), config.thresholds)
