"""Read Rasa NLU YAML (version 3.1) files: the training data and evaluation sets."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.interpretation import INTENTS, THEMES

LABELS: tuple[str, ...] = INTENTS + THEMES
TRAINING_DATA = Path(__file__).resolve().parent / "rasa" / "data" / "nlu.yml"
_ENTITY = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)|\[([^\]]*)\]\{[^}]*\}")


class TrainingDataError(ValueError):
    """An NLU file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: str


def _strip_entities(text: str) -> str:
    """Replace Rasa entity annotations like [Paris](city) by their text."""
    return _ENTITY.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


def _parse_examples(block: object, path: Path, label: str) -> list[str]:
    """Return the texts of one `examples: |` block."""
    if not isinstance(block, str):
        raise TrainingDataError(f"{path}: intent {label!r}: examples must be a '|' block")
    texts = []
    for line in block.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("- "):
            raise TrainingDataError(f"{path}: intent {label!r}: line {line!r} must start '- '")
        text = _strip_entities(line[2:].strip())
        if text:
            texts.append(text)
    return texts


def load_examples(path: Path = TRAINING_DATA, labels: tuple[str, ...] = LABELS) -> list[Example]:
    """Load every example of a Rasa NLU YAML file, refusing unknown labels."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("nlu"), list):
        raise TrainingDataError(f"{path}: expected a mapping with an 'nlu:' list")
    if str(doc.get("version", "")) != "3.1":
        raise TrainingDataError(f'{path}: expected version: "3.1"')
    examples: list[Example] = []
    for entry in doc["nlu"]:
        if not isinstance(entry, dict) or "intent" not in entry:
            continue  # synonyms, regexes and lookups are Rasa's business
        label = str(entry["intent"])
        if label not in labels:
            raise TrainingDataError(f"{path}: unknown label {label!r}")
        examples.extend(Example(t, label) for t in _parse_examples(entry.get("examples"), path, label))
    if not examples:
        raise TrainingDataError(f"{path}: no examples")
    return examples


def file_digest(*paths: Path, extra: str = "") -> str:
    """Return a short SHA-256 of some files' bytes and an extra string."""
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
