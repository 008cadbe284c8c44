"""The run that counts: the latest finished one; an unfinished later run never replaces it."""

from __future__ import annotations

from storage import counted, queries
from storage.db import Database
from storage.privacy import Crypto
from tests.conftest import TEST_SECRET
from tests.dashboard.seed import add_newcomer, add_people, add_run

FINISHED = {"age": "30-44", "genre": "femme"}


def test_an_unfinished_later_run_never_replaces_a_finished_one(database: Database) -> None:
    crypto = Crypto(TEST_SECRET)
    first, second = add_people(database, crypto, [FINISHED, FINISHED])
    add_run(database, first, "active", {"age": "60-74"})  # wrote again and left it there
    add_run(database, second, "completed", {"age": "15-29", "genre": "femme"})  # finished again
    never = add_newcomer(database, crypto)
    add_run(database, never, "stopped", {"age": "75+"})
    add_run(database, never, "active", {"age": "45-59"})  # never finished: the latest counts
    with database.transaction() as session:
        _n, ages = queries.distribution(session, "egalite", "age")
        totals = counted.totals(session, "egalite")
    assert ages == {"30-44": 1, "15-29": 1, "45-59": 1}
    assert (totals.came, totals.agreed, totals.finished, totals.stopped) == (3, 3, 2, 1)
