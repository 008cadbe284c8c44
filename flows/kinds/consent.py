"""The consent question: a yes/no whose no makes the run a refusal, never an opinion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from flows.events import NO, YES, ConsentChanged
from flows.kinds.base import Run
from flows.kinds.yesno import YesNo

if TYPE_CHECKING:
    from flows.model import Choice, Step


class Consent(YesNo):
    """A yes/no that gives or refuses consent to keep the answers."""

    name = "consent"
    opinion = False

    def chosen(self, run: Run, step: Step, choice: Choice) -> None:
        """Say that consent was given or refused."""
        run.events.append(ConsentChanged(given=choice.key == YES))

    def declines(self, step: Step, results: Mapping[str, str]) -> bool:
        """A run whose consent was refused ends as declined."""
        return bool(step.result) and results.get(step.result or "") == NO


KIND = Consent()
