"""Events the engine emits, inputs it accepts, and the state of a run."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any, Literal

RunStatus = Literal["active", "paused", "completed", "stopped", "failed", "declined"]
Expects = Literal["none", "choice", "multi", "text", "confirm"]
# The key a "validate" button sends back on a multiple choice; every channel uses this one.
DONE_KEY = "_valider"
# The key of a "Je ne sais pas" choice: an answer like the others, not one of a scale's pictures.
DONT_KNOW_KEY = "nsp"
YES, NO = "oui", "non"  # the keys of a confirmation's buttons (and of a yes/no question)
CONSENT_GIVEN = "_consent"  # a start value: the person gave consent before this run (YES)


@dataclass(frozen=True)
class Prefs:
    """How a participant wants to be spoken to."""

    lang: str = "fr"
    easy: bool = False
    audio: bool = False
    audio_choice: bool = True  # False where the channel cannot play audio, or always does
    # How the channel takes an answer: "buttons" (kiosk, Telegram), "numbers" (SMS), "keypad"
    # (calls). System messages may say it in their own words (`help@numbers` in system.yml).
    answers_by: str = "buttons"


_PREF_FIELDS = tuple(f.name for f in fields(Prefs))


@dataclass(frozen=True)
class ChoiceView:
    """A button as shown to a participant, rendered in their register."""

    key: str
    label: str
    icon: str


@dataclass(frozen=True)
class MessageCreated:
    """The engine says something to the participant."""

    text: str
    spoken: str
    step: str | None = None
    expects: Expects = "none"
    choices: tuple[ChoiceView, ...] = ()
    selected: tuple[str, ...] = ()
    optional: bool = False
    role: Literal["prompt", "info", "system"] = "prompt"
    type: str = "message_created"


@dataclass(frozen=True)
class ResultSaved:
    """An answer was accepted for a result name."""

    name: str
    value: str
    step: str
    category: str | None = None
    raw_text: str | None = None
    theme: str | None = None
    audio_ref: str | None = None
    assisted: bool = False
    type: str = "result_saved"


@dataclass(frozen=True)
class PrefChanged:
    """The participant switched reading or audio mode."""

    name: Literal["reading", "audio"]
    value: bool
    type: str = "pref_changed"


@dataclass(frozen=True)
class ConsentChanged:
    """The participant gave or refused consent."""

    given: bool
    type: str = "consent_changed"


@dataclass(frozen=True)
class RunEnded:
    """The run reached an end (completed, stopped, declined or failed)."""

    status: RunStatus
    reason: str = ""
    type: str = "run_ended"


Event = MessageCreated | ResultSaved | PrefChanged | ConsentChanged | RunEnded


@dataclass(frozen=True)
class Input:
    """What the participant did: pressed a button, wrote text, or used a command."""

    kind: Literal["choice", "text", "command"]
    value: str = ""
    step: str | None = None
    keys: tuple[str, ...] = ()
    theme: str | None = None
    audio_ref: str | None = None
    assisted: bool = False

    @classmethod
    def choose(cls, key: str, step: str | None = None) -> Input:
        """Build a button press."""
        return cls(kind="choice", value=key, step=step)

    @classmethod
    def say(cls, text: str, theme: str | None = None, audio_ref: str | None = None) -> Input:
        """Build a free-text (or recorded) answer."""
        return cls(kind="text", value=text, theme=theme, audio_ref=audio_ref)

    @classmethod
    def command(cls, name: str) -> Input:
        """Build a navigation command (aide, repeter, retour, pause, passer, facile, ...)."""
        return cls(kind="command", value=name)


@dataclass
class RunState:
    """Everything needed to continue a run; stored as JSON with the run."""

    flow_id: str
    flow_version: int
    step: str | None
    status: RunStatus = "active"
    prefs: Prefs = field(default_factory=Prefs)
    results: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    pending: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise to plain JSON types (a copy: later changes to the state do not show)."""
        # By hand: dataclasses.asdict deep-copies field by field and cost more than the engine.
        return {
            "flow_id": self.flow_id, "flow_version": self.flow_version, "step": self.step,
            "status": self.status,
            "prefs": {name: getattr(self.prefs, name) for name in _PREF_FIELDS},
            "results": dict(self.results), "history": list(self.history),
            "pending": copy.deepcopy(self.pending),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        """Load from the stored JSON."""
        values = dict(data)
        values["prefs"] = Prefs(**values.get("prefs", {}))
        return cls(**values)


@dataclass(frozen=True)
class Sprint:
    """What one call to the engine produced: events and the new state."""

    events: tuple[Event, ...]
    state: RunState

    def messages(self) -> list[MessageCreated]:
        """Return the messages of this sprint, in order."""
        return [e for e in self.events if isinstance(e, MessageCreated)]
