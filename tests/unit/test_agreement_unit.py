"""Agreement statistics (annotation/quality/agreement.py) on small cases worked out by hand."""

from __future__ import annotations

import math

import pytest

from annotation.quality import agreement as ag


def test_percent_agreement_counts_agreeing_pairs_within_units() -> None:
    units: list[list[str | None]] = [
        ["a", "a", "b"],  # pairs (a,a) (a,b) (a,b): 1 of 3
        ["x", None, "x"],  # None is not rated: one pair, agreeing
        ["z"],  # one rating: no pair
        [None, "q"],
        ["y", "y"],  # agreeing
    ]
    assert ag.percent_agreement(units) == 3 / 5


def test_percent_agreement_without_any_pair_is_none() -> None:
    assert ag.percent_agreement([]) is None
    assert ag.percent_agreement([["a"], [None, "b"], [None, None]]) is None


def test_cohen_kappa_worked_example() -> None:
    # observed 3/4; first a,a,b,b and second a,b,b,b: expected (2*1 + 2*3) / 16 = 1/2; (3/4 - 1/2) / (1/2)
    assert ag.cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(0.5)


def test_cohen_kappa_with_a_category_only_one_rater_used() -> None:
    # observed 2/3; expected (1*1 + 1*2 + 1*0) / 9 = 1/3; (2/3 - 1/3) / (2/3) = 1/2
    assert ag.cohen_kappa(["a", "b", "c"], ["a", "b", "b"]) == pytest.approx(0.5)


def test_cohen_kappa_of_total_disagreement_is_negative() -> None:
    # observed 0; expected (1*1 + 1*1) / 4 = 1/2; (0 - 1/2) / (1/2) = -1
    assert ag.cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)


def test_cohen_kappa_when_chance_explains_everything_is_one() -> None:
    assert ag.cohen_kappa(["a", "a"], ["a", "a"]) == 1.0  # p_e = 1: no division by zero


def test_cohen_kappa_needs_two_equal_non_empty_sequences() -> None:
    assert ag.cohen_kappa([], []) is None
    assert ag.cohen_kappa(["a"], ["a", "b"]) is None
    assert ag.cohen_kappa(["a", "b"], ["a"]) is None


def test_fleiss_kappa_worked_example() -> None:
    # 4 units x 3 raters: p_a = p_b = 6/12; P_i = 1, 1/3, 1, 1/3 so P-bar = 2/3; P_e = 1/2 -> (2/3 - 1/2) / (1/2)
    units = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"], ["a", "b", "b"]]
    assert ag.fleiss_kappa(units) == pytest.approx(1 / 3)


def test_fleiss_kappa_leaves_out_units_of_another_size() -> None:
    units = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"], ["a", "b", "b"], ["a", "b"], ["b"]]
    assert ag.fleiss_kappa(units) == pytest.approx(1 / 3)


def test_fleiss_kappa_with_two_raters_per_unit() -> None:
    # p_a = 3/4, p_b = 1/4; P_i = 1 and 0, P-bar = 1/2; P_e = 10/16 -> (1/2 - 5/8) / (3/8) = -1/3
    assert ag.fleiss_kappa([["a", "a"], ["a", "b"]]) == pytest.approx(-1 / 3)


def test_fleiss_kappa_of_one_category_everywhere_is_one_and_of_no_pairs_none() -> None:
    assert ag.fleiss_kappa([["a", "a"], ["a", "a", "a"], ["a", "a"]]) == 1.0
    assert ag.fleiss_kappa([["a"], ["b"]]) is None
    assert ag.fleiss_kappa([]) is None


def test_krippendorff_alpha_ordinal_worked_example() -> None:
    # Units (1,1) (1,2) (2,3): coincidences o11=2, o12=o21=1, o23=o32=1; n1=3 n2=2 n3=1, n=6.
    # Ordinal deltas: d12 = (3+2-2.5)^2 = 6.25, d23 = (2+1-1.5)^2 = 2.25, d13 = (6-2)^2 = 16.
    # D_o = 2*6.25 + 2*2.25 = 17; D_e = (2*3*2*6.25 + 2*3*1*16 + 2*2*1*2.25) / 5 = 36; alpha = 1 - 17/36.
    # units with one value are left out
    units: list[list[float | None]] = [[None, 5], [1, 1], [1, 2], [2, 3], [3, None]]
    assert ag.krippendorff_alpha_ordinal(units) == pytest.approx(19 / 36)


def test_krippendorff_alpha_weights_a_unit_by_one_over_its_values_minus_one() -> None:
    # (1,1,2) with weight 1/2: o11=1, o12=o21=1; (2,3) with weight 1: o23=o32=1; n1=2 n2=2 n3=1, n=5.
    # d12 = (4-2)^2 = 4, d23 = (3-1.5)^2 = 2.25, d13 = (5-1.5)^2 = 12.25.
    # D_o = 2*4 + 2*2.25 = 12.5; D_e = (2*2*2*4 + 2*2*1*12.25 + 2*2*1*2.25) / 4 = 22.5; alpha = 1 - 12.5/22.5.
    assert ag.krippendorff_alpha_ordinal([[1, 1, 2], [2, 3], [None, None]]) == pytest.approx(4 / 9)


def test_krippendorff_alpha_ordinal_uses_only_the_order_of_the_values() -> None:
    # Same ranks as the example above (1 < 10 < 30): same alpha.
    assert ag.krippendorff_alpha_ordinal([[1, 1, 10], [10, 30]]) == pytest.approx(4 / 9)


def test_krippendorff_alpha_of_one_value_everywhere_is_one_and_without_pairs_none() -> None:
    assert ag.krippendorff_alpha_ordinal([[2, 2], [2, 2, 2]]) == 1.0
    assert ag.krippendorff_alpha_ordinal([[1], [None, 2]]) is None
    assert ag.krippendorff_alpha_ordinal([]) is None


def test_kendall_tau_b_without_ties() -> None:
    # b and c swapped: 5 concordant pairs, 1 discordant: (5 - 1) / 6
    first = {"a": 1, "b": 2, "c": 3, "d": 4}
    second = {"a": 1, "b": 3, "c": 2, "d": 4}
    assert ag.kendall_tau_b(first, second) == pytest.approx(4 / 6)


def test_kendall_tau_b_of_a_reversed_ranking_is_minus_one() -> None:
    assert ag.kendall_tau_b({"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": 1}) == pytest.approx(-1.0)


def test_kendall_tau_b_with_ties_in_both_rankings() -> None:
    # (a,b) tied in the first only, (b,c) tied in the second only, (a,c) concordant: 1 / sqrt(2 * 2)
    assert ag.kendall_tau_b({"a": 1, "b": 1, "c": 2}, {"a": 1, "b": 2, "c": 2}) == pytest.approx(0.5)


def test_kendall_tau_b_with_ties_in_one_ranking() -> None:
    # (a,b) tied in the first only; 5 concordant: 5 / sqrt((5 + 1) * 5)
    first = {"a": 1, "b": 1, "c": 2, "d": 3}
    second = {"a": 1, "b": 2, "c": 3, "d": 4}
    assert ag.kendall_tau_b(first, second) == pytest.approx(5 / math.sqrt(30))
    assert ag.kendall_tau_b(second, first) == pytest.approx(5 / math.sqrt(30))  # symmetric


def test_kendall_tau_b_leaves_out_pairs_tied_in_both() -> None:
    # (a,b) tied in both: no information, not a tie of either ranking; (a,c), (b,c) concordant: 2 / sqrt(2 * 2)
    assert ag.kendall_tau_b({"a": 1, "b": 1, "c": 2}, {"a": 1, "b": 1, "c": 2}) == pytest.approx(1.0)
    # the same with the doubly tied pair last
    assert ag.kendall_tau_b({"a": 1, "b": 2, "c": 2}, {"a": 1, "b": 3, "c": 3}) == pytest.approx(1.0)


def test_kendall_tau_b_counts_every_tie() -> None:
    # a, b, c tied in the first: 3 ties, then (a,d) (b,d) (c,d) concordant: 3 / sqrt((3 + 3) * 3)
    first = {"a": 1, "b": 1, "c": 1, "d": 2}
    second = {"a": 1, "b": 2, "c": 3, "d": 4}
    assert ag.kendall_tau_b(first, second) == pytest.approx(3 / math.sqrt(18))
    assert ag.kendall_tau_b(second, first) == pytest.approx(3 / math.sqrt(18))


def test_kendall_tau_b_discordant_and_tied_pairs_together() -> None:
    # (a,b) discordant, (a,c) tied in the second, (b,c) concordant: (1 - 1) / sqrt(2 * 3) = 0
    # and with c moved: (a,b) discordant, (a,c) discordant, (b,c) tied in the first: -2 / sqrt(2 * 3)
    assert ag.kendall_tau_b({"a": 1, "b": 2, "c": 3}, {"a": 2, "b": 1, "c": 2}) == pytest.approx(0.0)
    assert ag.kendall_tau_b({"a": 1, "b": 2, "c": 2}, {"a": 3, "b": 1, "c": 2}) == pytest.approx(-2 / math.sqrt(6))


def test_kendall_tau_b_uses_shared_items_and_is_none_without_an_untied_pair() -> None:
    assert ag.kendall_tau_b({"a": 1, "b": 2, "z": 9}, {"a": 1, "b": 2, "y": 0}) == pytest.approx(1.0)
    assert ag.kendall_tau_b({"a": 1, "b": 1}, {"a": 2, "b": 2}) is None  # tied in both: no information
    assert ag.kendall_tau_b({"a": 1}, {"a": 1}) is None
    assert ag.kendall_tau_b({"a": 1, "b": 2}, {"c": 1, "d": 2}) is None
