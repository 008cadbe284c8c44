"""Opinion groups, representative statements and common ground are recovered from planted votes."""

from __future__ import annotations

import pytest
from sklearn.metrics import adjusted_rand_score

from dashboard.deliberation import AGREE, Vote, analyse, common_ground, divisive, representative
from tests.round_two.planted import plant

CASES = [(2, 300, 30, 12), (3, 600, 40, 15), (4, 800, 40, 15)]  # groups, people, statements, votes each


@pytest.mark.parametrize(("groups", "people", "statements", "per_person"), CASES)
def test_planted_groups_are_recovered(groups: int, people: int, statements: int, per_person: int) -> None:
    planted = plant(people, statements, per_person, groups=groups)
    opinions = analyse(planted.votes, min_votes=3)
    assert opinions is not None
    truth = [planted.groups[p] for p in opinions.participants]
    assert len(opinions.groups) == groups
    assert adjusted_rand_score(truth, opinions.labels) >= 0.9


def test_planted_common_ground_is_found_and_does_not_divide() -> None:
    planted = plant(600, 40, 15, groups=3, shared=5)
    opinions = analyse(planted.votes, min_votes=3)
    assert opinions is not None
    found = {opinions.statements[i] for i, _score in common_ground(opinions, opinions.groups, limit=10)}
    assert found == planted.shared
    split = {opinions.statements[i] for i, _spread in divisive(opinions, opinions.groups, limit=40)}
    assert split and not split & planted.shared


def test_a_group_s_representative_statements_are_the_ones_it_agrees_with_more() -> None:
    planted = plant(600, 40, 15, groups=3)
    opinions = analyse(planted.votes, min_votes=3)
    assert opinions is not None
    for group in opinions.groups:
        members = {
            p for p, g in zip(opinions.participants, opinions.labels.tolist(), strict=True) if g == group
        }
        reps = representative(opinions, group)
        assert reps
        for index, ratio in reps:
            statement = opinions.statements[index]
            mine = [v.value for v in planted.votes if v.statement == statement and v.participant in members]
            rest = [
                v.value for v in planted.votes if v.statement == statement and v.participant not in members
            ]
            assert ratio > 1 and mine.count(AGREE) / len(mine) > rest.count(AGREE) / len(rest)
            assert statement not in planted.shared


def test_too_few_voters_give_no_groups() -> None:
    votes = [Vote(1, 1, AGREE), Vote(1, 2, AGREE), Vote(2, 1, AGREE), Vote(2, 2, AGREE)]
    assert analyse(votes, min_votes=1) is None


def test_people_with_too_few_votes_are_not_grouped() -> None:
    planted = plant(200, 30, 12, groups=2)
    lone = [Vote(9999, 0, AGREE)]
    opinions = analyse(planted.votes + lone, min_votes=3)
    assert opinions is not None
    assert 9999 not in opinions.participants
    assert opinions.overall[0].agree == sum(
        1 for v in planted.votes + lone if v.statement == 0 and v.value == AGREE
    )
