"""The small-group rule's arithmetic: nothing hidden can be worked out from what is shown."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.settings import Settings, SettingsError
from storage.small_groups import SmallGroups

RULE = SmallGroups(10)


def written(values: list[int]) -> list[str]:
    return [str(c) for c in RULE.column(values)]


def test_one_small_group_hides_the_next_smallest_as_masked_not_small() -> None:
    # The case: 28 men hidden beside 2 people, and never labelled "< 10".
    assert written([41, 28, 2]) == ["41", "masqué", "< 10"]


def test_hidden_groups_together_make_at_least_k_people() -> None:
    # 2 + 3 would follow from the total, and 5 people is still a small group.
    assert written([2, 3, 19, 27, 20]) == ["< 10", "< 10", "masqué", "27", "20"]


def test_zero_is_shown_and_a_small_total_hides_everything() -> None:
    assert written([0, 30, 40]) == ["0", "30", "40"]
    assert written([3, 4, 0]) == ["< 10", "< 10", "0"]


def test_a_choice_chosen_by_almost_everyone_hides_those_who_did_not() -> None:
    counts = RULE.each_of([28, 4, 15], total=30)
    assert [str(c) for c in counts] == ["masqué", "< 10", "15"]
    assert [str(c) for c in RULE.each_of([18, 4], total=None)] == ["18", "< 10"]


def test_a_filter_is_refused_when_it_or_what_it_leaves_out_is_small() -> None:
    assert "moins de 10 personnes" in RULE.refusal(9, {})
    assert RULE.refusal(18, {"Âge": 41, "Genre": 19}).startswith("Sans le critère « Genre »")
    assert RULE.refusal(19, {"Âge": 71}) == ""


def test_easy_read_words_have_no_symbol() -> None:
    assert RULE.count(3).said == "moins de 10 personnes" and RULE.count(30).said == "30 personnes"
    assert RULE.count(30, removed=[2]).people == "un nombre masqué de personnes"


def test_the_threshold_comes_from_the_config(settings: Settings) -> None:
    mine = replace(settings, raw={"privacy": {"min_group_size": 10}})
    assert SmallGroups.configured(mine).k == 10
    assert SmallGroups.configured(replace(settings, raw={})).k == 5
    with pytest.raises(SettingsError):
        SmallGroups.configured(replace(settings, raw={"privacy": {"min_groupsize": 10}}))


def test_equal_counts_are_hidden_by_key_whatever_the_order() -> None:
    first = RULE.column([12, 12, 3], keys=["b", "a", "c"])
    second = RULE.column([3, 12, 12], keys=["c", "a", "b"])
    assert [str(c) for c in first] == ["12", "masqué", "< 10"]
    assert [str(c) for c in second] == ["< 10", "masqué", "12"]
