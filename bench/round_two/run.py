"""Benchmark: round two's analysis of 10,000 participants x 200 statements, about 20 votes each.

Run: python bench/round_two/run.py [--people 10000] [--statements 200] [--votes 20]
Prints the time of the analysis (groups, representative statements, common ground, divisive
statements) and its peak memory: Python allocations (tracemalloc, second pass) and the
process's maximum resident size. The target is under 5 s on the project's machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.deliberation import Vote, analyse, common_ground, divisive, representative  # noqa: E402
from tests.round_two.planted import plant  # noqa: E402


def run(votes: list[Vote]) -> str:
    """Analyse the votes as the facilitators' page does; return a one-line summary."""
    opinions = analyse(votes, min_votes=3)
    assert opinions is not None
    groups = opinions.groups
    reps = [len(representative(opinions, g)) for g in groups]
    shared, split = common_ground(opinions, groups), divisive(opinions, groups)
    return (f"{len(opinions.participants)} people grouped, {len(groups)} groups "
            f"(sizes {[opinions.size(g) for g in groups]}), representative {reps}, "
            f"{len(shared)} common ground, {len(split)} divisive")  # fmt: skip


def main() -> None:
    """Plant the votes, then time the analysis and measure its memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=200)
    parser.add_argument("--votes", type=int, default=20)
    args = parser.parse_args()
    planted = plant(args.people, args.statements, args.votes)
    print(f"{len(planted.votes):,} votes by {args.people:,} participants on {args.statements} statements")
    started = time.perf_counter()
    summary = run(planted.votes)
    elapsed = time.perf_counter() - started
    print(summary)
    tracemalloc.start()
    run(planted.votes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"analysis: {elapsed:.2f} s (target < 5 s); peak Python memory {peak / 2**20:.1f} MiB; "
          f"max resident {rss:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
