"""The small-group rule: counts of fewer than k people are never shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One count as it may be shown: count is None when the group is too small."""

    key: str
    label: str
    count: int | None

    @property
    def hidden(self) -> bool:
        """Say whether the count is withheld."""
        return self.count is None


def is_small(count: int, k: int) -> bool:
    """Say whether a count of people is a small group (1 to k-1); zero is not a group."""
    return 0 < count < k


def suppress(counts: Iterable[tuple[str, str, int]], k: int, exclusive: bool = True) -> list[Cell]:
    """Hide the small groups of (key, label, count) rows.

    When the categories are exclusive (each person counted once) and exactly one cell
    is hidden, the smallest visible non-zero cell is hidden too, so the hidden one
    cannot be worked out from the total.
    """
    rows = list(counts)
    hidden = {key for key, _label, count in rows if is_small(count, k)}
    if exclusive and len(hidden) == 1:
        visible = [(count, key) for key, _label, count in rows if key not in hidden and count > 0]
        if visible:
            hidden.add(min(visible)[1])
    return [Cell(key, label, None if key in hidden else count) for key, label, count in rows]


def shown(count: int, k: int) -> int | None:
    """Return a single count, or None when it is a small group."""
    return None if is_small(count, k) else count
