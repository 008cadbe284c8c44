"""The pure flow engine: start and resume runs, emit events, never touch I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flows import kinds
from flows.events import (
    NO,
    YES,
    ChoiceView,
    Event,
    Expects,
    Input,
    MessageCreated,
    PrefChanged,
    Prefs,
    ResultSaved,
    RunEnded,
    RunState,
    Sprint,
)
from flows.model import Flow, Message, Step

MAX_STEPS_PER_SPRINT = 50
ENDED = frozenset({"completed", "stopped", "failed", "declined"})


class _Sprinter:
    """Accumulate the events of one sprint over a copy of the state."""

    def __init__(self, flow: Flow, state: RunState) -> None:
        self.flow = flow
        self.state = replace(
            state,
            results=dict(state.results),
            history=list(state.history),
            pending=dict(state.pending) if state.pending else None,
        )
        self.events: list[Event] = []
        self.visited = 0

    # rendering -----------------------------------------------------------
    def render(self, message: Message, **values: str) -> tuple[str, str]:
        """Render a message in the participant's language and register."""
        prefs = self.state.prefs
        text = message.get(prefs.lang)
        shown, spoken = text.pick(prefs.easy), text.spoken(prefs.easy)
        if values:
            shown, spoken = shown.format(**values), spoken.format(**values)
        return shown, spoken

    def system(self, key: str, **values: str) -> tuple[str, str]:
        """Render one of the flow's system messages."""
        return self.render(self.flow.system_message(key, self.state.prefs.answers_by), **values)

    def label(self, key: str) -> str:
        """Render a system label (a button text)."""
        return self.system(key)[0]

    def say_system(self, key: str, **values: str) -> None:
        """Emit a system message that asks nothing."""
        shown, spoken = self.system(key, **values)
        self.events.append(MessageCreated(text=shown, spoken=spoken, role="system"))

    def confirm(self, key: str, **values: str) -> None:
        """Emit a yes/no confirmation question."""
        shown, spoken = self.system(key, **values)
        choices = (
            ChoiceView(YES, self.label("label_yes"), "✅"),
            ChoiceView(NO, self.label("label_no"), "❌"),
        )
        spoken = _speak_choices(spoken, choices)
        self.events.append(
            MessageCreated(
                text=shown,
                spoken=spoken,
                step=self.state.step,
                expects="confirm",
                choices=choices,
                role="system",
            )
        )

    def prompt(self, step: Step) -> None:
        """Emit the message of a step, as its kind asks (a kind may write the text itself)."""
        kind = kinds.get(step.kind)
        said = kind.say(self, step)
        if said is None:  # the step's own text, in the words of the channel's way of answering
            said = self.render(step.said(self.state.prefs.answers_by) or step.say)
        shown, spoken = said
        view = kind.view(self, step)
        if view.choices:
            spoken = _speak_choices(spoken, view.choices)
        self.events.append(
            MessageCreated(
                text=shown,
                spoken=spoken,
                step=step.id,
                expects=view.expects,
                choices=view.choices,
                selected=view.selected,
                optional=step.optional,
                role="prompt" if kind.asks else "info",
            )
        )

    def retry(self, step: Step, key: str = "not_understood", **values: str) -> None:
        """Say a system message, then ask the step again."""
        self.say_system(key, **values)
        self.prompt(step)

    # moving --------------------------------------------------------------
    def current(self) -> Step | None:
        """Return the step the run is on, if any."""
        if self.state.step is None:
            return None
        return self.flow.step(self.state.step)

    def enter(self, step_id: str | None) -> None:
        """Go to a step and run through non-asking steps until one waits or the flow ends."""
        mark = len(self.events)
        while True:
            if step_id is None:
                self.finish("completed")
                return
            self.visited += 1
            if self.visited > MAX_STEPS_PER_SPRINT:
                del self.events[mark:]  # never send the participant a runaway loop's messages
                self.fail(f"step limit {MAX_STEPS_PER_SPRINT} passed at step {step_id}")
                return
            step = self.flow.step(step_id)
            if step.sets == "audio" and not self.state.prefs.audio_choice:
                step_id = self.flow.next_of(step)  # nothing to choose on this channel
                continue
            if kinds.get(step.kind).known(step, self.state.results):
                step_id = self.flow.next_of(step)  # answered before this run (consent given once)
                continue
            self.state.step = step.id
            self.state.pending = None
            self.prompt(step)
            kind = kinds.get(step.kind)
            if kind.ends:
                self.finish("completed")
                return
            if kind.asks:
                return
            step_id = self.flow.next_of(step)

    def advance(self, step: Step, key: str | None = None) -> None:
        """Leave an answered step for the next one."""
        self.state.history.append(step.id)
        self.enter(self.flow.next_of(step, step.choice(key) if key else None))

    def finish(self, status: str) -> None:
        """End the run; a run that ends after an answer that refuses (consent) ends as declined."""
        if status == "completed" and self.declined():
            status = "declined"
        self.state.status = status  # type: ignore[assignment]
        self.state.pending = None
        self.events.append(RunEnded(status=status))  # type: ignore[arg-type]

    def declined(self) -> bool:
        """Say whether an answer of this run refuses the whole run (a consent answered no)."""
        results = self.state.results
        return any(kinds.get(step.kind).declines(step, results) for step in self.flow.steps)

    def fail(self, reason: str) -> None:
        """End the run as failed instead of looping."""
        self.say_system("error")
        self.state.status = "failed"
        self.events.append(RunEnded(status="failed", reason=reason))

    def save(self, step: Step, value: str, **extra: object) -> None:
        """Record the answer of a step."""
        assert step.result is not None
        self.state.results[step.result] = value
        self.events.append(ResultSaved(name=step.result, value=value, step=step.id, **extra))  # type: ignore[arg-type]

    # inputs --------------------------------------------------------------
    def handle(self, inp: Input) -> None:
        """Apply one input to the run."""
        step = self.current()
        if step is None or self.state.status in ENDED:
            self.say_system("run_over")
            return
        if self.state.status == "paused":
            self.state.status = "active"
            if inp.kind == "command":
                self.retry(step, "resumed")
                return
        if inp.kind == "command":
            self.command(step, inp.value)
        elif inp.kind == "choice":
            self.choose(step, inp)
        else:
            kinds.get(step.kind).write(self, step, inp)

    def command(self, step: Step, name: str) -> None:
        """Apply a navigation command."""
        if name == "aide":
            own = step.said(self.state.prefs.answers_by, "help")
            shown, spoken = self.render(own) if own else self.system("help")
            self.events.append(MessageCreated(text=shown, spoken=spoken, role="system"))
            self.prompt(step)
        elif name in ("repeter", "reprendre"):
            self.prompt(step)
        elif name == "retour":
            self.back(step)
        elif name == "pause":
            self.state.status = "paused"
            self.say_system("paused")
        elif name == "passer" and step.optional:
            self.state.pending = None
            self.advance(step)
        elif name == "passer":
            self.retry(step, "needs_answer")
        elif name in ("facile", "standard"):
            self.set_pref("reading", name == "facile")
            self.prompt(step)
        elif name in ("audio", "sans_audio"):
            self.set_pref("audio", name == "audio")
            self.prompt(step)
        else:
            self.retry(step)

    def back(self, step: Step) -> None:
        """Go back to the previous question."""
        if not self.state.history:
            self.retry(step, "at_start")
            return
        previous = self.flow.step(self.state.history.pop())
        self.state.step = previous.id
        self.state.pending = None
        saved = self.state.results.get(previous.result or "")
        kinds.get(previous.kind).restore(self, previous, saved)
        self.prompt(previous)

    def set_pref(self, name: str, value: bool) -> None:
        """Change reading or audio mode for the rest of the run."""
        if name == "reading":
            self.state.prefs = replace(self.state.prefs, easy=value)
        else:
            self.state.prefs = replace(self.state.prefs, audio=value)
        self.events.append(PrefChanged(name=name, value=value))  # type: ignore[arg-type]

    def choose(self, step: Step, inp: Input) -> None:
        """Apply a button press of the current step (a button of another step is stale)."""
        if inp.step is not None and inp.step != step.id:
            self.retry(step, "stale_button")
            return
        kinds.get(step.kind).choose(self, step, inp)


def _speak_choices(spoken: str, choices: tuple[ChoiceView, ...]) -> str:
    """Append the spoken list of choices to a prompt's script."""
    return spoken + " " + " ".join(f"{c.label}." for c in choices)


def start(flow: Flow, prefs: Prefs, values: Mapping[str, str] | None = None) -> Sprint:
    """Start a run of a flow, with values the service knows before it starts (kinds may read them)."""
    first = flow.steps[0].id
    state = RunState(flow.id, flow.version, None, prefs=prefs, results=dict(values or {}))
    sprinter = _Sprinter(flow, state)
    sprinter.enter(first)
    return Sprint(tuple(sprinter.events), sprinter.state)


def resume(flow: Flow, state: RunState, inp: Input) -> Sprint:
    """Apply one input to a run and return what happened."""
    sprinter = _Sprinter(flow, state)
    sprinter.handle(inp)
    return Sprint(tuple(sprinter.events), sprinter.state)


def repeat(flow: Flow, state: RunState) -> Sprint:
    """Return the current question again, without changing the run."""
    sprinter = _Sprinter(flow, state)
    step = sprinter.current()
    if step is None or state.status in ENDED:
        sprinter.say_system("run_over")
    else:
        sprinter.prompt(step)
    return Sprint(tuple(sprinter.events), sprinter.state)


def expectation(flow: Flow, state: RunState) -> tuple[Expects, tuple[tuple[str, str], ...]]:
    """Return what the run waits for: the widget and its (key, label) pairs, to read typed text."""
    if state.step is None:
        return "none", ()
    step = flow.step(state.step)
    return kinds.get(step.kind).expectation(_Sprinter(flow, state), step)


def with_prefs(state: RunState, prefs: Prefs) -> RunState:
    """Return the state with the participant's current preferences."""
    return replace(state, prefs=prefs)


def confirmation(flow: Flow, prefs: Prefs, key: str) -> Sprint:
    """Return a yes/no confirmation question built from a system message (outside any run)."""
    sprinter = _Sprinter(flow, RunState(flow.id, flow.version, None, prefs=prefs))
    sprinter.confirm(key)
    return Sprint(tuple(sprinter.events), sprinter.state)
