"""The consent question: a yes/no whose no makes the run a refusal, never an opinion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flows.events import CONSENT_GIVEN, NO, YES, ConsentChanged
from flows.kinds.base import Parser, Run
from flows.kinds.yesno import YesNo

if TYPE_CHECKING:
    from flows.model import Choice, Step


class Consent(YesNo):
    """A yes/no that gives or refuses consent to keep the answers."""

    name = "consent"
    opinion = False
    fields = frozenset({"once"})

    def options(self, raw: Mapping[str, Any], step_id: str, parser: Parser) -> dict[str, Any]:
        """Read `once`: ask only a person who never gave consent (true or false, default false)."""
        once = raw.get("once", False)
        if not isinstance(once, bool):
            parser.problem(step_id, f"once must be true or false, not {once!r}")
            once = False
        return {"once": once}

    def known(self, step: Step, results: Mapping[str, str]) -> bool:
        """A consent asked `once` is not asked again of a person who already gave it."""
        return bool(step.options.get("once")) and results.get(CONSENT_GIVEN) == YES

    def chosen(self, run: Run, step: Step, choice: Choice) -> None:
        """Say that consent was given or refused."""
        run.events.append(ConsentChanged(given=choice.key == YES))

    def declines(self, step: Step, results: Mapping[str, str]) -> bool:
        """A run whose consent was refused ends as declined."""
        return bool(step.result) and results.get(step.result or "") == NO


KIND = Consent()
