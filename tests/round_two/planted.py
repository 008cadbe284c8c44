"""Synthetic round-two votes with planted opinion groups and planted common ground."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.deliberation import AGREE, DISAGREE, PASS, Vote


@dataclass(frozen=True)
class Planted:
    """The votes, each participant's true group, and the statements every group agrees with."""

    votes: list[Vote]
    groups: dict[int, int]
    shared: frozenset[int]


def plant(people: int, statements: int, per_person: int, groups: int = 3, shared: int = 5,
          faith: float = 0.85, seed: int = 1) -> Planted:  # fmt: skip
    """Plant groups that each lean their own way on every statement except the shared ones."""
    rng = np.random.default_rng(seed)
    leaning = rng.choice([AGREE, DISAGREE], size=(groups, statements))
    for group in range(groups):  # every pair of groups disagrees on some statements
        leaning[group, shared + group :: groups] = -leaning[(group + 1) % groups, shared + group :: groups]
    leaning[:, :shared] = AGREE
    truth = {person: int(rng.integers(groups)) for person in range(people)}
    votes = []
    for person, group in truth.items():
        for statement in rng.choice(statements, size=min(per_person, statements), replace=False).tolist():
            roll = rng.random()
            lean = int(leaning[group, statement])
            value = lean if roll < faith else (PASS if roll < faith + (1 - faith) / 2 else -lean)
            votes.append(Vote(person, statement, value))
    return Planted(votes, truth, frozenset(range(shared)))
