"""What a step kind is: the hooks the loader, validator, linter, engine and exports call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from flows.events import ChoiceView, Event, Expects, Input, RunState

if TYPE_CHECKING:
    from flows.model import Flow, Role, Step

FEELING_CHOICES = 3  # a feeling or rating question shows at most this many pictures


class Parser(Protocol):
    """What a kind may use of the loader while it reads its own fields of a step."""

    def number(self, raw: Any, step: str | None, what: str, default: int) -> int:
        """Parse a positive whole number, recording a problem (and using a default) if it is not."""
        ...

    def problem(self, step: str | None, reason: str) -> None:
        """Record a problem with a step."""
        ...


class Run(Protocol):
    """What a kind may do to the run it answers in (the engine's sprint)."""

    flow: Flow
    state: RunState
    events: list[Event]

    def system(self, key: str, **values: str) -> tuple[str, str]:
        """Render one of the flow's system messages (shown, spoken)."""
        ...

    def label(self, key: str) -> str:
        """Render a system label (a button text)."""
        ...

    def say_system(self, key: str, **values: str) -> None:
        """Emit a system message that asks nothing."""
        ...

    def confirm(self, key: str, **values: str) -> None:
        """Emit a yes/no confirmation question."""
        ...

    def prompt(self, step: Step) -> None:
        """Ask a step again."""
        ...

    def retry(self, step: Step, key: str = "not_understood", **values: str) -> None:
        """Say a system message, then ask the step again."""
        ...

    def save(self, step: Step, value: str, **extra: object) -> None:
        """Record the answer of a step."""
        ...

    def advance(self, step: Step, key: str | None = None) -> None:
        """Leave an answered step (by the branch of a choice key, if any)."""
        ...

    def set_pref(self, name: str, value: bool) -> None:
        """Change reading or audio mode for the rest of the run."""
        ...


@dataclass(frozen=True)
class View:
    """How a step asks: the widget a channel draws, its buttons, the keys already selected."""

    expects: Expects
    choices: tuple[ChoiceView, ...] = ()
    selected: tuple[str, ...] = ()


def choice_views(run: Run, step: Step) -> tuple[ChoiceView, ...]:
    """Return a step's choices as buttons in the participant's language and register."""
    lang, easy = run.state.prefs.lang, run.state.prefs.easy
    return tuple(ChoiceView(c.key, c.label.get(lang).pick(easy), c.icon) for c in step.choices)


class Kind:
    """A kind of step: subclass it, set what differs and override the hooks it needs.

    A module of `flows/kinds/` that sets `KIND = TheKind()` is registered on import; a kind
    defined elsewhere is registered with `flows.kinds.register`.
    """

    name: ClassVar[str]
    asks: ClassVar[bool] = True  # the run waits at this step for an answer
    ends: ClassVar[bool] = False  # the run completes at this step
    takes_choices: ClassVar[bool] = False  # needs choices (and may not have any otherwise)
    default_choices: ClassVar[tuple[Mapping[str, str], ...]] = ()  # YAML when none are written
    feeling: ClassVar[bool] = False  # the default of the step's `feeling:`
    fields: ClassVar[frozenset[str]] = frozenset()  # YAML fields of its own (in step.options)
    added_buttons: ClassVar[tuple[str, ...]] = ()  # buttons it shows besides the choices (lint)
    floip_type: ClassVar[str] = "text"  # the question type of a Flow Results Package
    opinion: ClassVar[bool] = False  # the dashboard counts its answers as an opinion
    several: ClassVar[bool] = False  # its answer is several choice keys joined by commas
    free_text: ClassVar[bool] = False  # its answer is typed text (themes, text columns)

    def role(self) -> Role | None:
        """Return the role of its question when the flow names none: an opinion, or neither."""
        return "opinion" if self.opinion else None

    def options(self, raw: Mapping[str, Any], step_id: str, parser: Parser) -> dict[str, Any]:
        """Read this kind's own fields of a YAML step."""
        return {}

    def check(self, step: Step) -> list[str]:
        """Return what is structurally wrong with a step of this kind."""
        return []

    def limits(self, step: Step) -> tuple[int, ...]:
        """Return the values a `{limit}` in the system messages it says may take."""
        return ()

    def say(self, run: Run, step: Step) -> tuple[str, str] | None:
        """Return the text (shown, spoken) the step asks with, when the kind writes it; else None."""
        return None

    def view(self, run: Run, step: Step) -> View:
        """Return how the step asks."""
        return View("choice" if self.asks else "none", choice_views(run, step))

    def expectation(self, run: Run, step: Step) -> tuple[Expects, tuple[tuple[str, str], ...]]:
        """Return what the step waits for, so typed text can be mapped onto its buttons."""
        view = self.view(run, step)
        return view.expects, tuple((c.key, c.label) for c in view.choices)

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Apply a button press (or a form of several keys) to the step."""
        run.retry(step)

    def write(self, run: Run, step: Step, inp: Input) -> None:
        """Apply typed text (or a recording) to the step."""
        run.retry(step)

    def restore(self, run: Run, step: Step, saved: str | None) -> None:
        """Prepare the step when the participant comes back to it (`retour`)."""

    def declines(self, step: Step, results: Mapping[str, str]) -> bool:
        """Say whether this step's answer makes the whole run a refusal."""
        return False

    def known(self, step: Step, results: Mapping[str, str]) -> bool:
        """Say whether the run already knows this step's answer (it is then not asked)."""
        return False
