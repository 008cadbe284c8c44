"""The yes/no question: the keys oui and non, with pictured buttons when none are written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.events import NO, YES
from flows.kinds.choice import SingleChoice

if TYPE_CHECKING:
    from flows.model import Step


class YesNo(SingleChoice):
    """A single choice between oui and non."""

    name = "yesno"
    default_choices = (
        {"key": YES, "label": "Oui", "icon": "👍"},
        {"key": NO, "label": "Non", "icon": "👎"},
    )

    def check(self, step: Step) -> list[str]:
        """Require exactly the keys oui and non."""
        if {c.key for c in step.choices} != {YES, NO}:
            return [f"a '{step.kind}' step has exactly the keys {YES} and {NO}"]
        return []


KIND = YesNo()
