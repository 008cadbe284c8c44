"""The scale: a feeling or rating question with exactly three pictures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.kinds.base import FEELING_CHOICES
from flows.kinds.choice import SingleChoice

if TYPE_CHECKING:
    from flows.model import Step


class Scale(SingleChoice):
    """A single choice among three pictures, linted as a feeling."""

    name = "scale"
    feeling = True

    def check(self, step: Step) -> list[str]:
        """Require exactly three choices."""
        if len(step.choices) != FEELING_CHOICES:
            return [f"a scale has exactly {FEELING_CHOICES} pictured choices"]
        return []


KIND = Scale()
