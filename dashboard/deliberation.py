"""Opinion groups and common ground from round two's votes, the way Polis finds them.

The vote matrix (participants x statements: agree +1, disagree -1, pass 0) has each unseen
cell imputed with its statement's mean vote, and each participant's row scaled up by
sqrt(statements / votes given) so a person who saw few statements is not pulled to the centre.
PCA projects it; k-means (k = 2 to 5, chosen by silhouette) gives the opinion groups. Each
statement is then scored per group with the smoothed probability of agreeing (agree+1)/(seen+2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy and scikit-learn: imported by the functions that compute, not at start-up
    from scipy import sparse

AGREE, DISAGREE, PASS = 1, -1, 0
K_RANGE = range(2, 6)
SILHOUETTE_SAMPLE = 1500  # silhouette is quadratic: score it on a random sample of people
DIMENSIONS = 4  # the components groups are found in (Polis uses 2; the plot shows the first 2)
Z_90 = 1.2816  # one-sided 90 % confidence, Polis's bar for a representative statement


@dataclass(frozen=True)
class Vote:
    """One participant's reaction to one statement."""

    participant: int
    statement: int
    value: int  # AGREE, DISAGREE or PASS


@dataclass(frozen=True)
class Tally:
    """How one set of people voted on one statement."""

    agree: int
    disagree: int
    passed: int

    @property
    def seen(self) -> int:
        """Return how many of them voted on it (pass included)."""
        return self.agree + self.disagree + self.passed

    @property
    def p_agree(self) -> float:
        """Return the smoothed probability of agreeing, (agree + 1) / (seen + 2)."""
        return (self.agree + 1) / (self.seen + 2)


@dataclass(frozen=True)
class Opinions:
    """The analysis: who is in which group, where they sit, and the tallies per group."""

    participants: tuple[int, ...]  # the people grouped (enough votes), in matrix order
    statements: tuple[int, ...]
    labels: np.ndarray  # group of each participant, 0 = largest group
    points: np.ndarray  # (participants, 2): the first two components
    tallies: dict[int, list[Tally]]  # group -> tally per statement, in `statements` order
    overall: list[Tally]  # every voter, grouped or not
    silhouette: float

    @property
    def groups(self) -> tuple[int, ...]:
        """Return the groups, largest first."""
        return tuple(sorted(self.tallies))

    def size(self, group: int) -> int:
        """Return how many people a group holds."""
        return int((self.labels == group).sum())


def matrix(votes: Iterable[Vote]) -> tuple[sparse.csr_matrix, sparse.csr_matrix, list[int], list[int]]:
    """Build the sparse vote and seen matrices; return them with the participant and statement ids."""
    from scipy import sparse

    table = np.array([(v.participant, v.statement, v.value) for v in votes], dtype=np.int64).reshape(-1, 3)
    people, row = np.unique(table[:, 0], return_inverse=True)
    statements, col = np.unique(table[:, 1], return_inverse=True)
    shape = (len(people), len(statements))
    cast = table[:, 2].astype(np.float64)
    voted = sparse.csr_matrix((cast, (row, col)), shape=shape)
    seen = sparse.csr_matrix((np.ones_like(cast), (row, col)), shape=shape)
    return voted, seen, people.tolist(), statements.tolist()


def _imputed(voted: sparse.csr_matrix, seen: sparse.csr_matrix) -> np.ndarray:
    """Fill unseen cells with the statement's mean vote and scale each row as Polis does."""
    count = np.asarray(seen.sum(axis=0)).ravel()
    mean = np.asarray(voted.sum(axis=0)).ravel() / np.maximum(count, 1)
    dense = voted.toarray()
    dense += (1.0 - seen.toarray()) * mean
    given = np.asarray(seen.sum(axis=1)).ravel()
    dense *= np.sqrt(voted.shape[1] / np.maximum(given, 1))[:, None]
    return dense


def _clusters(points: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """Run k-means for each k of K_RANGE and keep the labels with the best silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best: tuple[float, np.ndarray] = (-2.0, np.zeros(len(points), dtype=int))
    sample = min(len(points), SILHOUETTE_SAMPLE)
    distinct = len(np.unique(points.round(9), axis=0))
    for k in K_RANGE:
        if k >= len(points) or k > distinct:
            break
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(points)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(points, labels, sample_size=sample, random_state=seed))
        if score > best[0]:
            best = (score, labels)
    return best[1], best[0]


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber groups so that 0 is the largest (ties by first member)."""
    order = sorted(
        set(labels.tolist()), key=lambda g: (-int((labels == g).sum()), int(np.argmax(labels == g)))
    )
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping[g] for g in labels.tolist()], dtype=int)


def _tallies(voted: sparse.csr_matrix, seen: sparse.csr_matrix) -> list[Tally]:
    """Count agree, disagree and pass per statement over the given rows."""
    agree = np.asarray((voted == AGREE).sum(axis=0)).ravel()
    disagree = np.asarray((voted == DISAGREE).sum(axis=0)).ravel()
    total = np.asarray(seen.sum(axis=0)).ravel()
    return [Tally(int(a), int(d), int(t - a - d)) for a, d, t in zip(agree, disagree, total, strict=True)]


def analyse(votes: Sequence[Vote], min_votes: int, seed: int = 0) -> Opinions | None:
    """Find the opinion groups of the people with at least `min_votes` votes (None if too few)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # a page request on a shared server: one native thread
        return _analyse(votes, min_votes, seed)


def _analyse(votes: Sequence[Vote], min_votes: int, seed: int) -> Opinions | None:
    """Build the matrix, project it, group the people and tally each group."""
    from sklearn.decomposition import PCA

    voted, seen, people, statements = matrix(votes)
    overall = _tallies(voted, seen)
    enough = np.asarray(seen.sum(axis=1)).ravel() >= min_votes
    if enough.sum() < 3 or len(statements) < 2:
        return None
    voted, seen = voted[enough], seen[enough]
    grouped = tuple(p for p, keep in zip(people, enough.tolist(), strict=True) if keep)
    dims = min(DIMENSIONS, len(statements), len(grouped) - 1)
    points = PCA(n_components=dims, random_state=seed).fit_transform(_imputed(voted, seen))
    if dims < 2:
        points = np.hstack([points, np.zeros((len(points), 2 - dims))])
    labels, score = _clusters(points, seed)
    points = points[:, :2]
    labels = _by_size(labels)
    tallies = {int(g): _tallies(voted[labels == g], seen[labels == g]) for g in set(labels.tolist())}
    return Opinions(grouped, tuple(statements), labels, points, tallies, overall, score)


def consensus(opinions: Opinions, groups: Sequence[int]) -> list[float]:
    """Return Polis's group-informed consensus per statement: the product of p_agree over groups."""
    return [
        math.prod(opinions.tallies[g][i].p_agree for g in groups) for i in range(len(opinions.statements))
    ]


def _z(p1: float, n1: int, p2: float, n2: int) -> float:
    """Return the two-proportion z-score of p1 over p2."""
    pooled = (p1 * n1 + p2 * n2) / max(n1 + n2, 1)
    spread = math.sqrt(max(pooled * (1 - pooled) * (1 / max(n1, 1) + 1 / max(n2, 1)), 1e-12))
    return (p1 - p2) / spread


def representative(opinions: Opinions, group: int, limit: int = 5) -> list[tuple[int, float]]:
    """Return (statement index, agree ratio) a group agrees with clearly more than the others."""
    found = []
    for i in range(len(opinions.statements)):
        mine = opinions.tallies[group][i]
        rest = [opinions.tallies[g][i] for g in opinions.groups if g != group]
        others = Tally(sum(t.agree for t in rest), sum(t.disagree for t in rest), sum(t.passed for t in rest))
        if mine.seen == 0 or mine.p_agree <= 0.5:
            continue
        ratio = mine.p_agree / others.p_agree
        if ratio > 1 and _z(mine.p_agree, mine.seen, others.p_agree, others.seen) > Z_90:
            found.append((i, ratio))
    return sorted(found, key=lambda item: -item[1] * opinions.tallies[group][item[0]].p_agree)[:limit]


def common_ground(opinions: Opinions, groups: Sequence[int], limit: int = 5) -> list[tuple[int, float]]:
    """Return (statement index, consensus) of statements every group is more likely to agree with."""
    scores = consensus(opinions, groups)
    shared = [(i, s) for i, s in enumerate(scores)
              if all(opinions.tallies[g][i].p_agree > 0.5 for g in groups)]  # fmt: skip
    return sorted(shared, key=lambda item: -item[1])[:limit]


def divisive(opinions: Opinions, groups: Sequence[int], limit: int = 5) -> list[tuple[int, float]]:
    """Return (statement index, spread) of statements the groups answer most differently."""
    found = []
    for i in range(len(opinions.statements)):
        shares = [opinions.tallies[g][i].p_agree for g in groups]
        spread = max(shares) - min(shares) if shares else 0.0
        if spread >= 0.3:
            found.append((i, spread))
    return sorted(found, key=lambda item: -item[1])[:limit]
