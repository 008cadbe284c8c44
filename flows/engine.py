"""The pure flow engine: start and resume runs, emit events, never touch I/O."""

from __future__ import annotations

from dataclasses import replace

from flows.events import (
    ChoiceView,
    ConsentChanged,
    Event,
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
DONE = "_valider"
YES, NO = "oui", "non"
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
        """Emit the message of a step, with its choices when it asks."""
        shown, spoken = self.render(step.say)
        lang, easy = self.state.prefs.lang, self.state.prefs.easy
        choices = tuple(
            ChoiceView(c.key, c.label.get(lang).pick(easy), c.icon) for c in step.choices
        )
        selected: tuple[str, ...] = ()
        expects = "none"
        if step.kind == "text":
            expects = "text"
        elif step.kind == "multi":
            expects = "multi"
            selected = tuple((self.state.pending or {}).get("selected", []))
            choices = (*choices, ChoiceView(DONE, self.label("label_done"), "✔️"))
        elif step.asks:
            expects = "choice"
        if choices:
            spoken = _speak_choices(spoken, choices)
        self.events.append(
            MessageCreated(
                text=shown,
                spoken=spoken,
                step=step.id,
                expects=expects,  # type: ignore[arg-type]
                choices=choices,
                selected=selected,
                optional=step.optional,
                role="prompt" if step.asks else "info",
            )
        )

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
            self.state.step = step.id
            self.state.pending = None
            self.prompt(step)
            if step.kind == "end":
                self.finish("completed")
                return
            if step.asks:
                return
            step_id = self.flow.next_of(step)

    def advance(self, step: Step, key: str | None = None) -> None:
        """Leave an answered step for the next one."""
        self.state.history.append(step.id)
        self.enter(self.flow.next_of(step, step.choice(key) if key else None))

    def finish(self, status: str) -> None:
        """End the run; a run that ends after consent was refused ends as declined."""
        if status == "completed" and self.refused_consent():
            status = "declined"
        self.state.status = status  # type: ignore[assignment]
        self.state.pending = None
        self.events.append(RunEnded(status=status))  # type: ignore[arg-type]

    def refused_consent(self) -> bool:
        """Say whether the participant answered no at a consent step of this run."""
        return any(
            step.kind == "consent" and step.result and self.state.results.get(step.result) == NO
            for step in self.flow.steps
        )

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
                self.say_system("resumed")
                self.prompt(step)
                return
        if inp.kind == "command":
            self.command(step, inp.value)
        elif inp.kind == "choice":
            self.choose(step, inp)
        else:
            self.text(step, inp)

    def command(self, step: Step, name: str) -> None:
        """Apply a navigation command."""
        if name == "aide":
            shown, spoken = self.render(step.help) if step.help else self.system("help")
            self.events.append(MessageCreated(text=shown, spoken=spoken, role="system"))
            self.prompt(step)
        elif name == "repeter":
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
            self.say_system("needs_answer")
            self.prompt(step)
        elif name in ("facile", "standard"):
            self.set_pref("reading", name == "facile")
            self.prompt(step)
        elif name in ("audio", "sans_audio"):
            self.set_pref("audio", name == "audio")
            self.prompt(step)
        else:
            self.say_system("not_understood")
            self.prompt(step)

    def back(self, step: Step) -> None:
        """Go back to the previous question."""
        if not self.state.history:
            self.say_system("at_start")
            self.prompt(step)
            return
        previous = self.flow.step(self.state.history.pop())
        self.state.step = previous.id
        self.state.pending = None
        saved = self.state.results.get(previous.result or "")
        if previous.kind == "multi" and saved:
            # Show the saved selection again, as a form would, so it can be changed.
            self.state.pending = {"kind": "multi", "selected": saved.split(",")}
        self.prompt(previous)

    def set_pref(self, name: str, value: bool) -> None:
        """Change reading or audio mode for the rest of the run."""
        if name == "reading":
            self.state.prefs = replace(self.state.prefs, easy=value)
        else:
            self.state.prefs = replace(self.state.prefs, audio=value)
        self.events.append(PrefChanged(name=name, value=value))  # type: ignore[arg-type]

    def choose(self, step: Step, inp: Input) -> None:
        """Apply a button press (or a form submission of several keys)."""
        pending = self.state.pending or {}
        if inp.step is not None and inp.step != step.id:
            self.say_system("stale_button")
            self.prompt(step)
            return
        if pending.get("kind") == "readback":
            self.readback_answer(step, inp.value, pending)
            return
        if step.kind == "multi":
            self.multi(step, inp)
            return
        choice = step.choice(inp.value)
        if choice is None or not step.asks or step.kind == "text":
            self.say_system("not_understood")
            self.prompt(step)
            return
        if step.sets:
            on_keys = {"reading": ("facile",), "audio": ("oui", "audio")}[step.sets]
            self.set_pref(step.sets, choice.key in on_keys)
        if step.kind == "consent":
            self.events.append(ConsentChanged(given=choice.key == YES))
        if step.result:
            self.save(step, choice.key, category=choice.category)
        self.advance(step, choice.key)

    def multi(self, step: Step, inp: Input) -> None:
        """Toggle a key of a multiple choice, or validate the selection."""
        selected: list[str] = list((self.state.pending or {}).get("selected", []))
        keys = inp.keys or ((inp.value,) if inp.value != DONE else ())
        unknown = [k for k in keys if step.choice(k) is None]
        if unknown:
            self.say_system("not_understood")
            self.prompt(step)
            return
        if inp.keys:
            selected = list(inp.keys)
        elif inp.value != DONE:
            key = inp.value
            selected = [k for k in selected if k != key] if key in selected else [*selected, key]
        done = bool(inp.keys) or inp.value == DONE
        self.state.pending = {"kind": "multi", "selected": selected}
        if not done:
            self.prompt(step)
            return
        if not selected and not step.optional:
            self.say_system("pick_one")
            self.prompt(step)
            return
        ordered = [c.key for c in step.choices if c.key in selected]
        self.state.pending = None
        if step.result and ordered:
            self.save(step, ",".join(ordered))
        self.advance(step)

    def text(self, step: Step, inp: Input) -> None:
        """Apply free text: read it back before saving it, or save a recording."""
        if step.kind != "text":
            self.say_system("not_understood")
            self.prompt(step)
            return
        if inp.audio_ref:
            self.save(step, "audio", audio_ref=inp.audio_ref, raw_text=inp.value or None)
            self.say_system("audio_saved")
            self.advance(step)
            return
        text = inp.value.strip()
        if not text:
            self.prompt(step)
            return
        if len(text) > step.max_length:
            self.say_system("too_long", limit=str(step.max_length))
            self.prompt(step)
            return
        self.state.pending = {"kind": "readback", "text": text, "theme": inp.theme}
        self.ask_readback(text, inp.theme)

    def ask_readback(self, text: str, theme: object) -> None:
        """Read free text back (with its theme when known) and ask whether it is right."""
        if theme and f"theme_{theme}" in self.flow.system:
            theme_label = self.system(f"theme_{theme}")[0]
            self.confirm("readback_theme", text=text, theme=theme_label)
        else:
            self.confirm("readback", text=text)

    def readback_answer(self, step: Step, key: str, pending: dict[str, object]) -> None:
        """Save the read-back text on yes, ask again on no."""
        if key == YES:
            theme = pending.get("theme")
            self.save(
                step,
                str(pending["text"]),
                raw_text=str(pending["text"]),
                theme=str(theme) if theme else None,
            )
            self.state.pending = None
            self.advance(step)
        elif key == NO:
            self.state.pending = None
            self.say_system("write_again")
            self.prompt(step)
        else:
            self.say_system("not_understood")
            self.ask_readback(str(pending["text"]), pending.get("theme"))


def _speak_choices(spoken: str, choices: tuple[ChoiceView, ...]) -> str:
    """Append the spoken list of choices to a prompt's script."""
    return spoken + " " + " ".join(f"{c.label}." for c in choices)


def start(flow: Flow, prefs: Prefs) -> Sprint:
    """Start a run of a flow."""
    first = flow.steps[0].id
    sprinter = _Sprinter(flow, RunState(flow.id, flow.version, None, prefs=prefs))
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


def with_prefs(state: RunState, prefs: Prefs) -> RunState:
    """Return the state with the participant's current preferences."""
    return replace(state, prefs=prefs)


def confirmation(flow: Flow, prefs: Prefs, key: str) -> Sprint:
    """Return a yes/no confirmation question built from a system message (outside any run)."""
    sprinter = _Sprinter(flow, RunState(flow.id, flow.version, None, prefs=prefs))
    sprinter.confirm(key)
    return Sprint(tuple(sprinter.events), sprinter.state)
