"""The multiple choice: toggle keys, then validate; the answer is the keys in flow order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.events import DONE_KEY, ChoiceView
from flows.kinds.base import Kind, Run, View, choice_views

if TYPE_CHECKING:
    from flows.events import Input
    from flows.model import Step


def _selected(run: Run) -> list[str]:
    """Return the keys selected so far at the step the run is on."""
    return list((run.state.pending or {}).get("selected", []))


def _keep(run: Run, selected: list[str]) -> None:
    """Keep a selection in the run until it is validated."""
    run.state.pending = {"kind": "multi", "selected": selected}


class MultipleChoice(Kind):
    """A question answered by one or more of its buttons, then a validate button."""

    name = "multi"
    takes_choices = True
    added_buttons = ("the validate button",)
    floip_type = "select_many"
    opinion = True
    several = True

    def view(self, run: Run, step: Step) -> View:
        """Show the choices, those already ticked, and the validate button."""
        done = ChoiceView(DONE_KEY, run.label("label_done"), "✔️")
        return View("multi", (*choice_views(run, step), done), tuple(_selected(run)))

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Toggle a key, or validate the selection (a form sends all its keys at once)."""
        keys = inp.keys or ((inp.value,) if inp.value != DONE_KEY else ())
        if any(step.choice(k) is None for k in keys):
            run.retry(step)
            return
        selected = _selected(run)
        if inp.keys:
            selected = list(inp.keys)
        elif inp.value != DONE_KEY:
            key = inp.value
            selected = [k for k in selected if k != key] if key in selected else [*selected, key]
        _keep(run, selected)
        if not inp.keys and inp.value != DONE_KEY:
            run.prompt(step)
            return
        if not selected and not step.optional:
            run.retry(step, "pick_one")
            return
        ordered = [c.key for c in step.choices if c.key in selected]
        run.state.pending = None
        if step.result and ordered:
            run.save(step, ",".join(ordered))
        run.advance(step)

    def restore(self, run: Run, step: Step, saved: str | None) -> None:
        """Show the saved selection again, as a form would, so it can be changed."""
        if saved:
            _keep(run, saved.split(","))


KIND = MultipleChoice()
