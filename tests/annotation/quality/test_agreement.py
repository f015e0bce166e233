"""Agreement statistics against hand-computed cases and the `krippendorff` reference package."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from annotation.quality import agreement


def test_percent_agreement_counts_agreeing_pairs() -> None:
    # unit 1: a,a,b -> pairs (a,a) yes, (a,b) no, (a,b) no; unit 2: x,x -> yes; unit 3: one rating -> skipped
    assert agreement.percent_agreement([["a", "a", "b"], ["x", "x"], ["z"]]) == pytest.approx(2 / 4)


def test_cohen_kappa_hand_computed() -> None:
    # p_o = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4
    first = ["y"] * 5 + ["n"] * 5
    second = ["y", "y", "y", "y", "n", "y", "y", "n", "n", "n"]
    assert agreement.cohen_kappa(first, second) == pytest.approx(0.4)


def test_fleiss_kappa_of_the_textbook_example() -> None:
    # Fleiss (1971)-style table: 4 units x 3 raters; computed by hand: P_bar = 0.6667, P_e = 0.5, kappa = 1/3
    units = [["a", "a", "a"], ["b", "b", "b"], ["a", "a", "b"], ["a", "b", "b"]]
    p_bar = (1 + 1 + 1 / 3 + 1 / 3) / 4
    p_e = 0.5**2 + 0.5**2
    assert agreement.fleiss_kappa(units) == pytest.approx((p_bar - p_e) / (1 - p_e))


def test_perfect_agreement_is_one() -> None:
    assert agreement.fleiss_kappa([["a", "a"], ["b", "b"]]) == 1.0
    assert agreement.krippendorff_alpha_ordinal([[1, 1], [3, 3], [5, 5]]) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_krippendorff_alpha_matches_the_reference_package(seed: int) -> None:
    rng = random.Random(seed)
    units = []
    for _ in range(30):
        truth = rng.randint(1, 5)
        units.append(
            [None if rng.random() < 0.2 else min(5, max(1, truth + rng.choice([-1, 0, 0, 1]))) for _ in range(4)]
        )
    reliability = np.array([[np.nan if v is None else v for v in unit] for unit in units], dtype=float).T

    expected = krippendorff.alpha(reliability_data=reliability, level_of_measurement="ordinal")

    assert agreement.krippendorff_alpha_ordinal(units) == pytest.approx(expected, abs=1e-9)


def test_kendall_tau_b_hand_computed() -> None:
    assert agreement.kendall_tau_b({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 3}) == 1.0
    assert agreement.kendall_tau_b({"a": 1, "b": 2, "c": 3}, {"a": 3, "b": 2, "c": 1}) == -1.0
    # one tie in the second ranking: C=2, D=0, T_first=0, T_second=1 -> 2 / sqrt(2 * 3)
    assert agreement.kendall_tau_b({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 2}) == pytest.approx(2 / 6**0.5)
