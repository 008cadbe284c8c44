"""Enumerate what a voice will say: every message of a flow, as the engine builds it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from flows import engine, kinds
from flows.events import Input, Prefs, RunState
from flows.loader import SYSTEM_FILE
from flows.model import Flow, Text

PLACEHOLDER = re.compile(r"\{(\w+)\}")
REGISTERS = (False, True)  # standard, easy-read


@dataclass(frozen=True)
class Utterance:
    """One text to speak, in one language; `source` says where it comes from."""

    lang: str
    text: str
    source: str


def _fill(text: str, limits: Iterable[int]) -> list[str]:
    """Return a system text ready to speak: as is, once per length limit, or [] when dynamic."""
    names = set(PLACEHOLDER.findall(text))
    if not names:
        return [text]
    if names == {"limit"}:
        return [text.format(limit=str(limit)) for limit in sorted(set(limits))]
    return []  # holds what the participant wrote: rendered on demand, never pre-rendered


def flow_utterances(flow: Flow) -> list[Utterance]:
    """Return every prompt, help and system message of a flow, in each language and register."""
    found: list[Utterance] = []
    limits = [n for step in flow.steps for n in kinds.get(step.kind).limits(step)]
    for lang in flow.languages:
        for easy in REGISTERS:
            register = "easy" if easy else "standard"
            prefs = Prefs(lang=lang, easy=easy, audio=True)
            for step in flow.steps:
                state = RunState(flow.id, flow.version, step.id, prefs=prefs)
                where = f"{flow.id}/{step.id}/{lang}/{register}"
                for created in engine.repeat(flow, state).messages():
                    found.append(Utterance(lang, created.spoken, where))
                if step.asks:
                    helped = engine.resume(flow, state, Input.command("aide")).messages()
                    found.append(Utterance(lang, helped[0].spoken, f"{where}/help"))
            for key, message in flow.system.items():
                text = message.get(lang).spoken(easy)
                where = f"{flow.id}/system.{key}/{lang}/{register}"
                found.extend(Utterance(lang, t, where) for t in _fill(text, limits))
    return found


def system_utterances(path: Path = SYSTEM_FILE, lang: str = "fr") -> list[Utterance]:
    """Return the shipped system messages (both registers), for when no flow is installed."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: list[Utterance] = []
    for key, raw in doc.items():
        if not isinstance(raw, dict) or "text" not in raw:
            continue
        text = Text(str(raw["text"]), str(raw.get("easy") or raw["text"]), raw.get("audio"))
        for easy in REGISTERS:
            where = f"system.{key}/{lang}/{'easy' if easy else 'standard'}"
            found.extend(Utterance(lang, t, where) for t in _fill(text.spoken(easy), [1000]))
    return found


def unique(utterances: Iterable[Utterance]) -> list[Utterance]:
    """Drop repeated (language, text) pairs, keeping the first source."""
    seen: set[tuple[str, str]] = set()
    kept: list[Utterance] = []
    for utterance in utterances:
        key = (utterance.lang, utterance.text.strip())
        if key not in seen and utterance.text.strip():
            seen.add(key)
            kept.append(utterance)
    return kept
