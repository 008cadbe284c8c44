"""Build the configured interpreter from config.yml's `nlu:` section."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nlu.embedded import EmbeddedClassifier
from nlu.interpretation import Interpreter
from nlu.interpreter import NluInterpreter, Thresholds
from nlu.prediction import Classifier
from nlu.rasa_client import CircuitBreaker, FallbackClassifier, RasaClassifier
from nlu.training_data import TRAINING_DATA

BACKENDS = ("embedded", "rasa")
DEFAULT_RASA_URL = "http://127.0.0.1:5005"


class NluConfigError(ValueError):
    """The `nlu:` section of the configuration cannot be used."""


def _number(section: dict[str, Any], key: str, default: float) -> float:
    """Read a positive number from the section, refusing anything else."""
    value = section.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise NluConfigError(f"nlu.{key} must be a number, not {value!r}") from None
    if number <= 0:
        raise NluConfigError(f"nlu.{key} must be positive, not {value!r}")
    return number


def build_classifier(section: dict[str, Any], cache_dir: Path) -> Classifier:
    """Return the statistical backend the section names (rasa falls back to embedded)."""
    backend = str(section.get("backend", "embedded"))
    if backend not in BACKENDS:
        raise NluConfigError(f"nlu.backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    data = Path(section.get("training_data") or TRAINING_DATA)
    embedded = EmbeddedClassifier(cache_dir, data)
    if backend == "embedded":
        return embedded
    rasa = RasaClassifier(str(section.get("rasa_url") or DEFAULT_RASA_URL),
                          _number(section, "timeout_seconds", 1.5))  # fmt: skip
    breaker = CircuitBreaker(int(_number(section, "breaker_failures", 3)),
                             _number(section, "breaker_cooldown_seconds", 30))  # fmt: skip
    return FallbackClassifier(rasa, embedded, breaker)


def build_thresholds(section: dict[str, Any]) -> Thresholds:
    """Read the confidence thresholds, with the defaults for those not given."""
    given = section.get("thresholds") or {}
    if not isinstance(given, dict):
        raise NluConfigError("nlu.thresholds must be a mapping")
    defaults = Thresholds()
    unknown = set(given) - set(defaults.__dataclass_fields__)
    if unknown:
        raise NluConfigError(f"unknown nlu.thresholds: {', '.join(sorted(unknown))}")
    return Thresholds(
        theme=float(given.get("theme", defaults.theme)),
        intent=float(given.get("intent", defaults.intent)),
        destructive=float(given.get("destructive", defaults.destructive)),
        danger=float(given.get("danger", defaults.danger)),
        command_max_words=int(given.get("command_max_words", defaults.command_max_words)),
    )


def default_cache_dir(env: dict[str, str] | None = None) -> Path:
    """Return where models are cached by default: $PORTE_VOIX_CACHE_DIR or ~/.cache/porte-voix/nlu.

    The embedded model depends only on the training data and the code, so one cache serves
    every data directory (and every test) on the machine.
    """
    env = dict(os.environ if env is None else env)
    if env.get("PORTE_VOIX_CACHE_DIR"):
        return Path(env["PORTE_VOIX_CACHE_DIR"])
    return Path(env.get("HOME") or Path.home()) / ".cache" / "porte-voix" / "nlu"


def build_interpreter(section: dict[str, Any], cache_dir: Path) -> Interpreter:
    """Return rules-then-statistics interpretation as configured; models load lazily."""
    return NluInterpreter(build_classifier(section, cache_dir), build_thresholds(section))
