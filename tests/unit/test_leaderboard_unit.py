"""Model comparison (annotation/quality/leaderboard.py): comparisons, win/tie/loss, Bradley-Terry."""

from __future__ import annotations

import math

import pytest

from annotation.quality import leaderboard as lb


def test_from_ranking_compares_every_pair_of_responses_of_different_models() -> None:
    # A (m1) first, B (m2) and C (m1) tied: A-C is the same model, so only A-B and B-C count.
    comparisons = lb.from_ranking([["A"], ["B", "C"]], {"A": "m1", "B": "m2", "C": "m1"})

    assert comparisons == [("m1", "m2", 1), ("m2", "m1", 0)]


def test_from_ranking_in_label_order_with_the_outcome_of_the_first() -> None:
    assert lb.from_ranking([["B"], ["A"]], {"A": "x", "B": "y"}) == [("x", "y", -1)]
    assert lb.from_ranking([["C"], ["B"], ["A"]], {"A": "x", "B": "y", "C": "z"}) == [
        ("x", "y", -1),
        ("x", "z", -1),
        ("y", "z", -1),
    ]


def test_win_tie_loss_per_alphabetical_pair_from_the_first_models_side() -> None:
    comparisons = [("b", "a", 1), ("b", "a", 1), ("a", "b", 1), ("a", "b", 0), ("c", "a", -1), ("b", "a", 0)]

    table = lb.win_tie_loss(comparisons)

    assert table == {
        ("a", "b"): {"wins": 1, "ties": 2, "losses": 2},
        ("a", "c"): {"wins": 1, "ties": 0, "losses": 0},
    }
    assert type(table) is dict


def test_win_tie_loss_of_nothing_is_empty() -> None:
    assert lb.win_tie_loss([]) == {}


def test_bradley_terry_two_models_is_the_log_odds_split_around_zero() -> None:
    # Without prior: a won 3 of 4, so strengths a/b = 3/1 and the logs are +-ln(3)/2 around a mean of 0.
    comparisons = [("a", "b", 1), ("a", "b", 1), ("b", "a", -1), ("a", "b", -1)]
    half = round(math.log(3) / 2, 6)

    assert lb.bradley_terry(comparisons, prior=0) == {"a": half, "b": -half}


def test_bradley_terry_counts_a_tie_as_half_a_win_each_way() -> None:
    # a: one win + half a tie = 1.5, b: 0.5 -> ratio 3 (in either order of the tied pair)
    assert lb.bradley_terry([("a", "b", 1), ("a", "b", 0)], prior=0) == {
        "a": round(math.log(3) / 2, 6),
        "b": -round(math.log(3) / 2, 6),
    }
    assert lb.bradley_terry([("a", "b", 1), ("b", "a", 0)], prior=0) == {
        "a": round(math.log(3) / 2, 6),
        "b": -round(math.log(3) / 2, 6),
    }
    assert lb.bradley_terry([("a", "b", 0), ("b", "a", 0)], prior=0) == {"a": 0.0, "b": 0.0}


def test_bradley_terry_prior_keeps_an_unbeaten_model_finite() -> None:
    # The default prior of 0.5 adds a quarter win each way: 2.25 vs 0.25 -> ratio 9 -> +-ln(3).
    assert lb.bradley_terry([("a", "b", 1), ("a", "b", 1)]) == {
        "a": round(math.log(3), 6),
        "b": -round(math.log(3), 6),
    }
    # prior 2: one win each way: 3 vs 1 -> +-ln(3)/2
    assert lb.bradley_terry([("a", "b", 1), ("a", "b", 1)], prior=2) == {
        "a": round(math.log(3) / 2, 6),
        "b": -round(math.log(3) / 2, 6),
    }


def test_bradley_terry_three_models_recovers_consistent_strengths() -> None:
    # Results exactly as strengths 4 : 2 : 1 predict (a beat b 2 of 3, a beat c 4 of 5, b beat c 2 of 3),
    # so the maximum likelihood is 4 : 2 : 1; the geometric mean 2 is scaled to 1: logs ln 2, 0, -ln 2.
    comparisons = (
        [("a", "b", 1)] * 2 + [("b", "a", 1)] + [("a", "c", 1)] * 4 + [("c", "a", 1)] + [("b", "c", 1)] * 2
    ) + [("c", "b", 1)]

    strengths = lb.bradley_terry(comparisons, prior=0)

    assert strengths == {"a": round(math.log(2), 6), "b": 0.0, "c": -round(math.log(2), 6)}


def test_bradley_terry_with_two_models_that_never_met() -> None:
    # a-b and b-c only, one win each way; the prior alone links a and c: everything even, all strengths 0.
    comparisons = [("a", "b", 1), ("b", "a", 1), ("b", "c", 1), ("c", "b", 1)]

    assert lb.bradley_terry(comparisons) == {"a": 0.0, "b": 0.0, "c": 0.0}


def test_bradley_terry_models_without_a_game_between_them_keep_their_start() -> None:
    # Only self-comparisons and no prior: no game between a and b, so nothing moves them from equal.
    assert lb.bradley_terry([("a", "a", 1), ("b", "b", -1)], prior=0) == {"a": 0.0, "b": 0.0}


def test_bradley_terry_starts_from_equal_strengths() -> None:
    assert lb.bradley_terry([("a", "b", 1)] * 5, iterations=0) == {"a": 0.0, "b": 0.0}


def test_bradley_terry_needs_two_models() -> None:
    assert lb.bradley_terry([]) == {}
    assert lb.bradley_terry([("a", "a", 1)]) == {"a": 0.0}


def test_bradley_terry_few_iterations_have_not_converged_yet() -> None:
    # One MM step from equal strengths: a = 6 / (3/2 + 5/2) = 3/2, b = 3 / (3/2 + 3/2) = 1, c = 2 / (5/2 + 3/2)
    # = 1/2; geometric mean (3/4)^(1/3).
    comparisons = (
        [("a", "b", 1)] * 2 + [("b", "a", 1)] + [("a", "c", 1)] * 4 + [("c", "a", 1)] + [("b", "c", 1)] * 2
    ) + [("c", "b", 1)]
    scale = math.log(0.75) / 3

    one_step = lb.bradley_terry(comparisons, iterations=1, prior=0)

    assert one_step == {
        "a": round(math.log(1.5) - scale, 6),
        "b": round(0 - scale, 6),
        "c": round(math.log(0.5) - scale, 6),
    }


def test_bootstrap_of_identical_comparisons_is_a_point() -> None:
    # Every resample is four wins of a: 4.25 vs 0.25 with the prior -> +-ln(17)/2, no spread.
    comparisons = [("a", "b", 1)] * 4
    point = round(math.log(17) / 2, 6)

    assert lb.bootstrap_intervals(comparisons, samples=20) == {"a": (point, point), "b": (-point, -point)}


def test_bootstrap_interval_spans_the_possible_resamples() -> None:
    # One win each: a resample is two wins of a (+ln 3), one each (0) or two of b (-ln 3), 1/4, 1/2, 1/4.
    # With 200 samples, the 2.5% and 97.5% points (indices 4 and 194) are the extremes; the median is 0.
    comparisons = [("a", "b", 1), ("a", "b", -1)]
    extreme = round(math.log(3), 6)

    intervals = lb.bootstrap_intervals(comparisons)

    assert intervals == {"a": (-extreme, extreme), "b": (-extreme, extreme)}
    assert lb.bootstrap_intervals(comparisons, level=0.0) == {"a": (0.0, 0.0), "b": (0.0, 0.0)}


def test_bootstrap_is_reproducible_and_seeded() -> None:
    comparisons = [
        ("a", "b", 1),
        ("a", "b", -1),
        ("a", "c", 1),
        ("b", "c", 0),
        ("c", "b", 1),
        ("a", "c", 1),
        ("b", "a", 1),
    ]

    first = lb.bootstrap_intervals(comparisons, samples=30)

    assert first == lb.bootstrap_intervals(comparisons, samples=30)
    assert first == lb.bootstrap_intervals(comparisons, samples=30, seed=0)
    assert first != lb.bootstrap_intervals(comparisons, samples=30, seed=1)
    assert set(first) == {"a", "b", "c"}
    for low, high in first.values():
        assert low <= high
    wider = lb.bootstrap_intervals(comparisons, samples=30, level=0.99)
    narrower = lb.bootstrap_intervals(comparisons, samples=30, level=0.5)
    for model in first:
        assert wider[model][0] <= narrower[model][0] <= narrower[model][1] <= wider[model][1]
        assert narrower[model] != wider[model]


class FakeStrengths:
    """Stands in for bradley_terry: the n-th call rates a at n and b at -n, so the sorted draws are known."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[lb.Comparison], int]] = []

    def __call__(self, sample: list[lb.Comparison], *, iterations: int) -> dict[str, float]:
        self.calls.append((sample, iterations))
        n = float(len(self.calls))
        return {"a": n, "b": -n}


def test_bootstrap_draws_200_resamples_and_takes_the_2_5_and_97_5_percentiles(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeStrengths()
    monkeypatch.setattr(lb, "bradley_terry", fake)
    comparisons = [("a", "b", 1), ("a", "b", -1), ("b", "a", 0)]

    intervals = lb.bootstrap_intervals(comparisons)

    # draws 1..200: indices int(0.025 * 199) = 4 and int(0.975 * 199) = 194
    assert intervals == {"a": (5.0, 195.0), "b": (-196.0, -6.0)}
    assert len(fake.calls) == 200
    assert all(len(sample) == 3 and set(sample) <= set(comparisons) for sample, _ in fake.calls)
    assert {iterations for _, iterations in fake.calls} == {200}  # a quicker fit for each resample


def test_bootstrap_percentile_indices_on_few_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lb, "bradley_terry", FakeStrengths())

    intervals = lb.bootstrap_intervals([("a", "b", 1)], samples=5, level=0.5)

    # draws 1..5, level 0.5: indices int(0.25 * 4) = 1 and int(0.75 * 4) = 3
    assert intervals == {"a": (2.0, 4.0), "b": (-4.0, -2.0)}


@pytest.mark.parametrize("samples", [1, 2])
def test_bootstrap_with_one_or_two_samples_still_has_both_ends(samples: int) -> None:
    # The percentile index is int(level point * (n - 1)): 0 for n = 1 or 2, never past the end.
    intervals = lb.bootstrap_intervals([("a", "b", 1)] * 3, samples=samples)
    point = round(math.log(13) / 2, 6)  # 3.25 vs 0.25

    assert intervals == {"a": (point, point), "b": (-point, -point)}


def test_without_a_prior_a_model_that_never_won_is_refused_with_a_reason() -> None:
    """Without the prior a model that never won has strength log(0): a math domain error, not an answer."""
    with pytest.raises(ValueError, match="b never won or tied"):
        lb.bradley_terry([("a", "b", 1)], prior=0)
