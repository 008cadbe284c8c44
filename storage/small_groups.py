"""The small-group rule: no figure shows, or lets anyone work out, fewer than k people.

This module is the rule's only owner: the threshold k, primary suppression (a count of 1 to
k-1 people), secondary suppression (a second figure hidden so the first cannot be worked
out from a total), the refusal of profile filters that isolate fewer than k people, and the
words a hidden figure is written with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storage.privacy import PrivacyConfig

HIDDEN = "masqué"  # a figure hidden so that a small group cannot be worked out from it


@dataclass(frozen=True)
class Count:
    """A figure as it may be shown: value is None when hidden; under is k when it is a small group."""

    value: int | None
    under: int = 0

    @property
    def hidden(self) -> bool:
        """Say whether the figure is withheld."""
        return self.value is None

    @property
    def small(self) -> bool:
        """Say whether the figure is hidden because it counts fewer than k people."""
        return self.value is None and self.under > 0

    def __str__(self) -> str:
        """Write the figure, or how it is hidden: "< k" for a small group, "masqué" otherwise."""
        if self.value is not None:
            return str(self.value)
        return f"< {self.under}" if self.under else HIDDEN

    @property
    def people(self) -> str:
        """Write the figure as a number of people: "12 personnes", "< k personnes"..."""
        if self.value is None and not self.under:
            return f"un nombre {HIDDEN} de personnes"
        return f"{self} personnes"

    @property
    def said(self) -> str:
        """Write the figure as a number of people without a symbol (easy-read)."""
        return f"moins de {self.under} personnes" if self.small else self.people


@dataclass(frozen=True)
class Cell:
    """One answer of a table and its count as it may be shown."""

    key: str
    label: str
    count: Count


@dataclass(frozen=True)
class Removed:
    """What a wider filter adds to a filtered table: people per answer, and respondents."""

    counts: Mapping[str, int]
    respondents: int

    def aligned(self, keys: Sequence[str]) -> list[int]:
        """Return the added counts in the order of a table's keys."""
        return [self.counts.get(key, 0) for key in keys]


@dataclass(frozen=True)
class SmallGroups:
    """The rule with its threshold k: groups of 1 to k-1 people are never shown."""

    k: int

    @classmethod
    def configured(cls, settings: Any) -> SmallGroups:
        """Read k from `privacy.min_group_size` (at least 1)."""
        return cls(max(1, settings.typed(PrivacyConfig).min_group_size))

    @property
    def sentences(self) -> tuple[str, str]:
        """Say the rule in plain French, for every page and document that shows figures."""
        return (f"Les groupes de moins de {self.k} personnes sont masqués : « < {self.k} ».",
                f"« {HIDDEN} » : chiffre caché pour protéger un petit groupe.")  # fmt: skip

    def small(self, n: int) -> bool:
        """Say whether a count of people is a small group (1 to k-1); zero is not a group."""
        return 0 < n < self.k

    def enough(self, n: int) -> bool:
        """Say whether a value given by n people may be offered as a filter."""
        return n >= self.k

    def count(self, n: int, removed: Sequence[int] = ()) -> Count:
        """Return a single figure, hidden when it, or what a wider filter adds to it, is a small group.

        `removed` holds what each wider filter adds to the figure: comparing the two would
        count those people.
        """
        if self.small(n):
            return Count(None, self.k)
        return Count(None) if any(self.small(r) for r in removed) else Count(n)

    def column(self, values: Sequence[int], removed: Sequence[Sequence[int]] = (),
               keys: Sequence[str] = ()) -> list[Count]:  # fmt: skip
        """Hide the small groups of exclusive counts whose total is known.

        Each person is counted once, so the hidden counts add up to the total minus the
        shown ones: more counts are hidden, smallest first (equal counts by key, so two
        pages listing the same answers hide the same ones), until at least two are and
        together they make at least k people. `removed` holds, per wider filter, what it
        adds to each count: those tables follow by subtraction, so they obey the same rule.
        """
        tables = [values, *removed]
        small = {i for i, n in enumerate(values) if self.small(n)}
        hidden = small | {i for table in removed for i, n in enumerate(table) if self.small(n)}
        while True:
            exposed = [t for t in tables if self._exposed(t, hidden)]
            more = [(n, keys[i] if keys else "", i) for i, n in enumerate(values)
                    if i not in hidden and any(t[i] > 0 for t in exposed)]  # fmt: skip
            if not more:
                break
            hidden.add(min(more)[2])
        return [Count(None, self.k if i in small else 0) if i in hidden else Count(n)
                for i, n in enumerate(values)]  # fmt: skip

    def _exposed(self, table: Sequence[int], hidden: set[int]) -> bool:
        """Say whether the hidden part of a table can be worked out: a lone count, or a small sum."""
        part = [table[i] for i in hidden if table[i] > 0]
        return bool(part) and (len(part) < 2 or self.small(sum(part)))

    def each_of(self, values: Sequence[int], total: int | None,
                removed: Sequence[tuple[Sequence[int], int]] = ()) -> list[Count]:  # fmt: skip
        """Hide counts of a total where a person may be in several (or none): each is a yes/no.

        A count is hidden when it is a small group, or when the people it leaves out of the
        total (total minus the count) are; the same for what each wider filter adds.
        """
        tables = [(values, total), *removed]
        counts = []
        for i, n in enumerate(values):
            leaks = any(self.small(t[i]) or (of is not None and self.small(of - t[i])) for t, of in tables)
            counts.append(self.count(n) if self.small(n) or not leaks else Count(None))
        return counts

    def table(self, rows: Iterable[tuple[str, str, int]], removed: Sequence[Removed] = ()) -> list[Cell]:
        """Hide the small groups of (key, label, count) rows where each person is counted once."""
        listed = list(rows)
        keys = [key for key, _label, _n in listed]
        counts = self.column([n for _key, _label, n in listed], [r.aligned(keys) for r in removed], keys)
        return [Cell(key, label, c) for (key, label, _n), c in zip(listed, counts, strict=True)]

    def choices(self, rows: Iterable[tuple[str, str, int]], respondents: int | None,
                removed: Sequence[Removed] = ()) -> list[Cell]:  # fmt: skip
        """Hide the small groups of (key, label, count) rows where a person may choose several."""
        listed = list(rows)
        keys = [key for key, _label, _n in listed]
        counts = self.each_of([n for _key, _label, n in listed], respondents,
                              [(r.aligned(keys), r.respondents) for r in removed])  # fmt: skip
        return [Cell(key, label, c) for (key, label, _n), c in zip(listed, counts, strict=True)]

    def refusal(self, size: int, wider: Mapping[str, int]) -> str:
        """Say why a filtered group may not be shown ("" when it may).

        `wider` maps each filter criterion to the size of the group without it: the people
        a criterion removes could be worked out by comparing the two results.
        """
        if size < self.k:
            return (f"Ce filtre concerne moins de {self.k} personnes : les résultats sont "
                    "masqués pour protéger leur anonymat.")  # fmt: skip
        for criterion, n in wider.items():
            if self.small(n - size):
                return (f"Sans le critère « {criterion} », moins de {self.k} personnes "
                        "s'ajoutent : en comparant les deux résultats, on pourrait retrouver "
                        "leurs réponses. Les résultats sont masqués pour protéger leur "
                        "anonymat.")  # fmt: skip
        return ""
