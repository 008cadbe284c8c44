"""A hundred people on every channel, then a facilitator preparing the workshop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.walk.walked import Walked, walk
from tests.walk.world import running


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walked]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        with running(tmp_path_factory.mktemp("walk"), monkeypatch) as world:
            yield walk(world)


def test_walk_runs(walked: Walked) -> None:
    finished = sum(1 for p in walked.people if "egalite" in p.finished)
    from tests.walk.walked import TIMES; print("finished", finished, TIMES)
    assert finished > 40
