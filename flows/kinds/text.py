"""The free-text question: typed text is read back before it is saved; a recording is saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.events import NO, YES
from flows.kinds.base import Kind, Parser, Run, View

if TYPE_CHECKING:
    from flows.events import Expects, Input
    from flows.model import Step

MAX_LENGTH = 1000


def max_length(step: Step) -> int:
    """Return the longest text the step accepts."""
    return int(step.options.get("max_length", MAX_LENGTH))


def _ask_readback(run: Run, text: str, theme: object) -> None:
    """Read free text back (with its theme when known) and ask whether it is right."""
    if theme and f"theme_{theme}" in run.flow.system:
        run.confirm("readback_theme", text=text, theme=run.system(f"theme_{theme}")[0])
    else:
        run.confirm("readback", text=text)


class FreeText(Kind):
    """A question answered in the participant's own words."""

    name = "text"
    fields = frozenset({"max_length"})
    floip_type = "open"
    free_text = True

    def options(self, raw: Mapping[str, Any], step_id: str, parser: Parser) -> dict[str, Any]:
        """Read max_length (a positive whole number)."""
        given = raw.get("max_length", MAX_LENGTH)
        return {"max_length": parser.number(given, step_id, "max_length", MAX_LENGTH)}

    def limits(self, step: Step) -> tuple[int, ...]:
        """The too_long message quotes max_length."""
        return (max_length(step),)

    def view(self, run: Run, step: Step) -> View:
        """Ask for text."""
        return View("text")

    def expectation(self, run: Run, step: Step) -> tuple[Expects, tuple[tuple[str, str], ...]]:
        """Wait for yes or no while a text is read back, else for text."""
        if (run.state.pending or {}).get("kind") == "readback":
            return "confirm", ((YES, YES), (NO, NO))
        return super().expectation(run, step)

    def write(self, run: Run, step: Step, inp: Input) -> None:
        """Save a recording; read typed text back before saving it."""
        if inp.audio_ref:
            run.save(step, "audio", audio_ref=inp.audio_ref, raw_text=inp.value or None)
            run.say_system("audio_saved")
            run.advance(step)
            return
        text = inp.value.strip()
        if not text:
            run.prompt(step)
            return
        if len(text) > max_length(step):
            run.retry(step, "too_long", limit=str(max_length(step)))
            return
        run.state.pending = {"kind": "readback", "text": text, "theme": inp.theme}
        _ask_readback(run, text, inp.theme)

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Save the read-back text on yes, ask again on no."""
        pending = run.state.pending or {}
        if pending.get("kind") != "readback":
            run.retry(step)
        elif inp.value == YES:
            theme = pending.get("theme")
            run.save(step, str(pending["text"]), raw_text=str(pending["text"]),
                     theme=str(theme) if theme else None)  # fmt: skip
            run.state.pending = None
            run.advance(step)
        elif inp.value == NO:
            run.state.pending = None
            run.retry(step, "write_again")
        else:
            run.say_system("not_understood")
            _ask_readback(run, str(pending["text"]), pending.get("theme"))


KIND = FreeText()
