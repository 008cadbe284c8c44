"""The message step: says something and goes on without waiting."""

from __future__ import annotations

from flows.kinds.base import Kind


class Statement(Kind):
    """A message that asks nothing."""

    name = "message"
    asks = False


KIND = Statement()
