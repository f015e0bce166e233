"""Model comparison against hand-computed cases."""

from __future__ import annotations

import math

import pytest

from annotation.quality import leaderboard


def test_pairs_come_from_rank_groups_between_different_models() -> None:
    models = {"A": "m1", "B": "m2", "C": "m1"}

    assert leaderboard.from_ranking([["B"], ["A", "C"]], models) == [("m1", "m2", -1), ("m2", "m1", 1)]


def test_win_tie_loss_is_counted_per_pair() -> None:
    table = leaderboard.win_tie_loss([("a", "b", 1), ("b", "a", 1), ("a", "b", 0), ("b", "c", -1)])

    assert table == {("a", "b"): {"wins": 1, "ties": 1, "losses": 1}, ("b", "c"): {"wins": 0, "ties": 0, "losses": 1}}


def test_two_models_match_the_closed_form() -> None:
    # 7 wins, 2 losses, 2 ties, prior 0.5: p_a / (p_a + p_b) = (7 + 1 + 0.25) / (11 + 0.5)
    comparisons = [("a", "b", 1)] * 7 + [("a", "b", -1)] * 2 + [("a", "b", 0)] * 2
    strengths = leaderboard.bradley_terry(comparisons)

    share = 1 / (1 + math.exp(strengths["b"] - strengths["a"]))
    assert share == pytest.approx(8.25 / 11.5, abs=1e-6)
    assert strengths["a"] == pytest.approx(-strengths["b"])


def test_a_cycle_gives_equal_strengths_and_order_is_kept() -> None:
    cycle = [("a", "b", 1), ("b", "c", 1), ("c", "a", 1)] * 3
    assert len({round(v, 6) for v in leaderboard.bradley_terry(cycle).values()}) == 1
    chain = [("a", "b", 1)] * 5 + [("b", "c", 1)] * 5 + [("a", "c", 1)] * 5
    s = leaderboard.bradley_terry(chain)
    assert s["a"] > s["b"] > s["c"]


def test_bootstrap_intervals_contain_the_estimate_and_are_reproducible() -> None:
    comparisons = [("a", "b", 1)] * 12 + [("a", "b", -1)] * 4 + [("b", "c", 1)] * 10 + [("b", "c", 0)] * 3
    estimate = leaderboard.bradley_terry(comparisons)
    intervals = leaderboard.bootstrap_intervals(comparisons, samples=100, seed=7)

    assert intervals == leaderboard.bootstrap_intervals(comparisons, samples=100, seed=7)
    for model, (low, high) in intervals.items():
        assert low <= estimate[model] <= high
    assert intervals["a"][0] > intervals["c"][1]  # clearly separated
