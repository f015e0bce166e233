"""Rank groups (annotation/rankings.py) and gold answers (annotation/gold/scores.py `meets`): pure, no DB."""

from __future__ import annotations

from annotation import rankings
from annotation.gold.scores import meets

# b first, then a and c tied, then d last.
RANKING = [["b"], ["a", "c"], ["d"]]


def test_ranks_number_the_groups_from_zero() -> None:
    assert rankings.ranks(RANKING) == {"b": 0, "a": 1, "c": 1, "d": 2}
    assert rankings.ranks([]) == {}


def test_order_says_which_of_two_labels_is_above() -> None:
    assert rankings.order(RANKING, "b", "a") == 1
    assert rankings.order(RANKING, "d", "c") == -1
    assert rankings.order(RANKING, "b", "d") == 1  # two groups apart is still just "above"
    assert rankings.order(RANKING, "a", "c") == 0  # tied


def test_order_with_an_unranked_label_is_no_preference() -> None:
    assert rankings.order(RANKING, "x", "d") == 0  # "x" is below nothing: unranked, not last
    assert rankings.order(RANKING, "b", "x") == 0  # and above nothing either
    assert rankings.order(RANKING, "x", "y") == 0


def test_pairs_are_every_better_worse_across_groups_and_ties_give_none() -> None:
    assert rankings.pairs(RANKING) == [("b", "a"), ("b", "c"), ("b", "d"), ("a", "d"), ("c", "d")]
    assert rankings.pairs([["a", "b", "c"]]) == []
    assert rankings.pairs([]) == []


def test_first_choice_is_the_sorted_first_group_or_none() -> None:
    assert rankings.first_choice([["c", "a"], ["b"]]) == "a+c"
    assert rankings.first_choice([["b"], ["a"]]) == "b"
    assert rankings.first_choice([["b"], ["a"]], all_unacceptable=True) == "none"
    assert rankings.first_choice([]) == "none"


def test_restrict_keeps_the_order_of_the_kept_labels_and_drops_empty_groups() -> None:
    assert rankings.restrict(RANKING, {"d", "c"}) == [["c"], ["d"]]
    assert rankings.restrict([["a", "b", "c"], ["d"]], ["c", "a"]) == [["a", "c"]]
    assert rankings.restrict(RANKING, set()) == []


def test_relabel_by_mapping_keeps_unknown_names_and_by_function_renames_all() -> None:
    assert rankings.relabel([["A"], ["B", "C"]], {"A": "m1", "C": "m3"}) == [["m1"], ["B", "m3"]]
    assert rankings.relabel([["a"], ["b"]], str.upper) == [["A"], ["B"]]


def test_describe_is_one_line_with_gt_between_groups_and_eq_within() -> None:
    assert rankings.describe([["m2"], ["m1", "m3"]]) == "m2 > m1 = m3"
    assert rankings.describe([["A"], ["B"]], {"A": "gpt", "B": "llama"}) == "gpt > llama"
    assert rankings.describe([["a"], ["b", "c"]], str.upper) == "A > B = C"
    assert rankings.describe([]) == ""


def test_a_pairwise_scale_position_becomes_a_ranking_and_a_magnitude() -> None:
    assert rankings.from_strength("A", "B", 0) == ([["A", "B"]], 0)
    assert rankings.from_strength("A", "B", -2) == ([["A"], ["B"]], 2)  # negative: the first is better
    assert rankings.from_strength("A", "B", -1) == ([["A"], ["B"]], 1)
    assert rankings.from_strength("A", "B", 1) == ([["B"], ["A"]], 1)
    assert rankings.from_strength("A", "B", 3) == ([["B"], ["A"]], 3)


# --- gold answers -----------------------------------------------------------------------------------


def test_a_gold_answer_is_met_by_the_preferred_first_and_the_broken_last() -> None:
    three = [["a"], ["b"], ["c"]]

    assert meets({"preferred": "a", "last": "c"}, three, False) is True
    assert meets({"preferred": "a", "last": "b"}, three, False) is False  # last is wrong
    assert meets({"preferred": "b", "last": "c"}, three, False) is False  # first is wrong, last is right
    assert meets({"preferred": "b", "last": "a"}, three, False) is False


def test_each_half_of_a_gold_answer_is_checked_on_its_own() -> None:
    two = [["a", "x"], ["b"]]

    assert meets({"preferred": "a"}, two, False) is True  # tied first still counts as first
    assert meets({"preferred": "b"}, two, False) is False
    assert meets({"last": "b"}, two, False) is True
    assert meets({"last": "a"}, two, False) is False
    assert meets({}, two, False) is True  # nothing asked, and the ranking is not one big tie


def test_one_big_tie_a_single_response_or_all_unacceptable_never_meet() -> None:
    assert meets({"preferred": "a"}, [["a", "b"]], False) is False
    assert meets({}, [["a"]], False) is False
    assert meets({}, [], False) is False
    assert meets({"preferred": "a", "last": "b"}, [["a"], ["b"]], True) is False
