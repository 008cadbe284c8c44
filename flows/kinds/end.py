"""The end step: says goodbye and completes the run."""

from __future__ import annotations

from flows.kinds.base import Kind


class End(Kind):
    """The last message of a path through the flow."""

    name = "end"
    asks = False
    ends = True


KIND = End()
