"""The scale: a feeling or rating question with exactly three pictures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.events import DONT_KNOW_KEY
from flows.kinds.base import FEELING_CHOICES
from flows.kinds.choice import SingleChoice

if TYPE_CHECKING:
    from flows.model import Step


class Scale(SingleChoice):
    """A single choice among three pictures (and "Je ne sais pas"), linted as a feeling."""

    name = "scale"
    feeling = True

    def check(self, step: Step) -> list[str]:
        """Require exactly three choices besides "Je ne sais pas"."""
        if len([c for c in step.choices if c.key != DONT_KNOW_KEY]) != FEELING_CHOICES:
            return [f"a scale has exactly {FEELING_CHOICES} pictured choices (and maybe '{DONT_KNOW_KEY}')"]
        return []


KIND = Scale()
