"""The single choice: one button press saves one key (and may branch or set a preference)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.kinds.base import Kind, Run

if TYPE_CHECKING:
    from flows.events import Input
    from flows.model import Choice, Step

PREF_ON = {"reading": ("facile",), "audio": ("oui", "audio")}  # keys that turn a preference on


class SingleChoice(Kind):
    """A question answered by one of its pictured buttons."""

    name = "choice"
    takes_choices = True
    floip_type = "select_one"
    opinion = True

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Save the pressed key, switch a preference the step sets, and go on."""
        choice = step.choice(inp.value)
        if choice is None:
            run.retry(step)
            return
        if step.sets:
            run.set_pref(step.sets, choice.key in PREF_ON[step.sets])
        self.chosen(run, step, choice)
        if step.result:
            run.save(step, choice.key, category=choice.category)
        if choice.tell:
            run.say_system(choice.tell)
        run.advance(step, choice.key)

    def chosen(self, run: Run, step: Step, choice: Choice) -> None:
        """React to a choice before it is saved (a kind may emit an event)."""


KIND = SingleChoice()
