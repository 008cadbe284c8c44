"""The flow model: what a conversation is made of, independent of any channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from flows import kinds

SPEC_VERSION = 3

PrefName = Literal["reading", "audio"]
# What a question asks: who the person is (profile), or what they think (opinion).
Role = Literal["profile", "opinion"]
ROLES: tuple[Role, ...] = ("profile", "opinion")


@dataclass(frozen=True)
class Text:
    """One message in one language: standard text, easy-read text, optional spoken script."""

    text: str
    easy: str
    audio: str | None = None

    def pick(self, easy: bool) -> str:
        """Return the text in the chosen register."""
        return self.easy if easy else self.text

    def spoken(self, easy: bool) -> str:
        """Return what a voice should say: the script, else the easy-read text when easy."""
        if self.audio:
            return self.audio
        return self.pick(easy)


@dataclass(frozen=True)
class Message:
    """A message in every language of its flow."""

    by_lang: dict[str, Text]

    def get(self, lang: str) -> Text:
        """Return the text for a language, falling back to the first language."""
        if lang in self.by_lang:
            return self.by_lang[lang]
        return next(iter(self.by_lang.values()))


@dataclass(frozen=True)
class Choice:
    """One button: a key saved as the answer, a short label, a pictogram, an optional branch."""

    key: str
    label: Message
    icon: str
    next: str | None = None
    category: str | None = None
    tell: str | None = None  # a system message said once this choice is made (e.g. helplines)


@dataclass(frozen=True)
class Step:
    """One step of a flow; `kind` names a registered step kind, `options` holds its own fields."""

    id: str
    kind: str
    say: Message
    result: str | None = None
    choices: tuple[Choice, ...] = ()
    next: str | None = None
    optional: bool = False
    help: Message | None = None
    sets: PrefName | None = None
    feeling: bool = False
    role: Role | None = None  # only for a step that saves a result; None: neither (consent)
    options: Mapping[str, Any] = field(default_factory=dict)
    # `say@numbers:`, `help@keypad:`...: the same message in the words of one way of answering.
    variants: Mapping[str, Message] = field(default_factory=dict)

    @property
    def asks(self) -> bool:
        """Say whether the step waits for an answer."""
        return kinds.get(self.kind).asks

    def said(self, answers_by: str = "buttons", part: str = "say") -> Message | None:
        """Return the step's message (`say` or `help`) in the words of a way of answering."""
        default = self.say if part == "say" else self.help
        return self.variants.get(f"{part}@{answers_by}", default)

    def choice(self, key: str) -> Choice | None:
        """Return the choice with this key, if any."""
        for choice in self.choices:
            if choice.key == key:
                return choice
        return None


@dataclass(frozen=True)
class Flow:
    """A versioned conversation: ordered steps plus system messages."""

    id: str
    version: int
    title: str
    languages: tuple[str, ...]
    steps: tuple[Step, ...]
    system: dict[str, Message] = field(default_factory=dict)
    source: str = "<memory>"

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Each step id's position (the first step with it), built once per flow."""
        positions: dict[str, int] = {}
        for i, step in enumerate(self.steps):
            positions.setdefault(step.id, i)
        return positions

    @cached_property
    def _questions(self) -> dict[str, tuple[int, int]]:
        """Each asking step's [position, total] among the flow's questions, built once per flow."""
        asking = [step.id for step in self.steps if step.asks]
        numbers: dict[str, tuple[int, int]] = {}
        for i, step_id in enumerate(asking):
            numbers.setdefault(step_id, (i + 1, len(asking)))
        return numbers

    def step(self, step_id: str) -> Step:
        """Return the step with this id (KeyError when unknown)."""
        return self.steps[self._positions[step_id]]

    def question_number(self, step_id: str | None) -> tuple[int, int] | None:
        """Return (position, total) of a question among the flow's questions, None for another step."""
        return None if step_id is None else self._questions.get(step_id)

    def system_message(self, key: str, answers_by: str = "buttons") -> Message:
        """Return a system message, in the words of the channel's way of answering if it has them.

        `help@numbers` is the help for SMS, where there are no buttons; `help` serves otherwise.
        """
        return self.system.get(f"{key}@{answers_by}") or self.system[key]

    def has_step(self, step_id: str) -> bool:
        """Say whether the flow has a step with this id."""
        return step_id in self._positions

    def next_of(self, step: Step, choice: Choice | None = None) -> str | None:
        """Return the id of the step after this one (branch, explicit next, or the following)."""
        if choice is not None and choice.next:
            return choice.next
        if step.next:
            return step.next
        index = self._positions.get(step.id, -1)
        if index < 0 or self.steps[index] is not step:  # a copy of a step: compare as before
            index = self.steps.index(step)
        if index + 1 < len(self.steps):
            return self.steps[index + 1].id
        return None

    def results(self) -> list[Step]:
        """Return the steps that save a result, in flow order (drives export columns)."""
        return [step for step in self.steps if step.result]

    def opinions(self) -> list[Step]:
        """Return the questions that ask what people think, in flow order."""
        return [step for step in self.results() if step.role == "opinion"]
