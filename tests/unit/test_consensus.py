"""Agreement and consensus across the judgments of one task (exporters/consensus.py), worked by hand."""

from __future__ import annotations

from exporters.consensus import agreement, consensus
from tests.unit.builders import candidates, judgment


def test_one_judgment_agrees_with_itself() -> None:
    assert agreement([]) == 1.0
    assert agreement([judgment([["B"], ["A"], ["C"]])]) == 1.0


def test_agreement_is_the_mean_share_of_the_majority_order_per_pair() -> None:
    records = [
        judgment([["B", "C"], ["A"]]),  # A-B: below, A-C: below, B-C: tie
        judgment([["A"], ["B", "C"]]),  # above, above, tie
        judgment([["C"], ["A"], ["B"]]),  # above, below, below
    ]
    # The majority of A-B is "above" (2 of 3), of A-C "below" (2 of 3), of B-C "tie" (2 of 3).
    assert agreement(records) == 0.6667


def test_agreement_when_every_pair_is_split_three_ways_or_unanimous() -> None:
    split = [judgment([["A"], ["B"]], labels="AB"), judgment([["B"], ["A"]], labels="AB")]
    unanimous = [judgment([["A"], ["B"], ["C"]]), judgment([["A"], ["B"], ["C"]])]
    # A-B 2/3, A-C 2/3, B-C 1/3 (above, below, tie): 5/9
    mixed = [judgment([["A"], ["B"], ["C"]]), judgment([["A"], ["C"], ["B"]]), judgment([["B", "C"], ["A"]])]

    assert agreement(split) == 0.5
    assert agreement(unanimous) == 1.0
    assert agreement(mixed) == 0.5556


def test_agreement_with_a_single_candidate_has_no_pair() -> None:
    assert agreement([judgment([["A"]], labels="A"), judgment([["A"]], labels="A")]) == 1.0


def test_consensus_mean_ranks_majority_preferences_and_who_judged() -> None:
    records = [
        judgment([["A"], ["B", "C"]], annotator="ann-b"),
        judgment([["B"], ["A"], ["C"]], annotator="ann-a"),
        # all unacceptable: left out of ranks and preferences, not out of the count or agreement
        judgment([["C"], ["A"], ["B"]], annotator="ann-c", all_unacceptable=True),
    ]

    record = consensus(records)

    assert record.mean_rank == {"A": 1.5, "B": 1.5, "C": 2.5}  # A: 1 and 2, B: 2 and 1, C: 2 and 3
    assert record.ranking == [["A", "B"], ["C"]]
    assert record.preferences == {
        ("A", "B"): 1,
        ("B", "A"): 1,
        ("A", "C"): 2,
        ("C", "A"): 0,
        ("B", "C"): 1,
        ("C", "B"): 0,
    }
    assert record.judgments == 3
    assert record.agreement == 0.5556  # A-B 2/3, A-C 2/3, B-C 1/3 over all three rankings
    assert record.all_unacceptable is False  # 1 of 3
    assert record.annotators == ["ann-a", "ann-b", "ann-c"]
    assert (record.task_id, record.prompt, record.language) == ("t-1", "Return a number.", "python")
    assert record.candidates == candidates("ABC")


def test_consensus_takes_the_task_fields_from_the_first_judgment() -> None:
    first = judgment([["A"], ["B"]], labels="AB", task_metadata={"source": "x"})
    second = judgment([["B"], ["A"]], labels="AB", task_id="other", task_metadata={})

    record = consensus([first, second])

    assert record.task_id == "t-1" and record.task_metadata == {"source": "x"}
    assert record.mean_rank == {"A": 1.5, "B": 1.5} and record.ranking == [["A", "B"]]


def test_an_unranked_candidate_counts_one_below_the_last_group() -> None:
    records = [
        judgment([["A"]], labels="AB"),
        judgment([["A"], ["B"]], labels="AB"),
        judgment([["B"], ["A"]], labels="AB"),
    ]

    record = consensus(records)

    # B: unranked in the first (rank 2 = after its only group), 2, 1 -> 5/3; A: 1, 1, 2 -> 4/3
    assert record.mean_rank == {"A": 1.3333, "B": 1.6667}
    assert record.ranking == [["A"], ["B"]]
    assert record.preferences == {("A", "B"): 1, ("B", "A"): 1}  # the unranked B is no preference


def test_a_majority_of_all_unacceptable_makes_the_consensus_unacceptable() -> None:
    two_of_three = [
        judgment([["A"], ["B"]], labels="AB", all_unacceptable=True),
        judgment([["B"], ["A"]], labels="AB", all_unacceptable=True),
        judgment([["A"], ["B"]], labels="AB"),
    ]
    one_of_two = [
        judgment([["A"], ["B"]], labels="AB", all_unacceptable=True),
        judgment([["B"], ["A"]], labels="AB"),
    ]

    assert consensus(two_of_three).all_unacceptable is True
    assert consensus(two_of_three).mean_rank == {"A": 1.0, "B": 2.0}  # only the ranked judgment
    assert consensus(one_of_two).all_unacceptable is False  # half is not a majority


def test_when_every_judgment_is_unacceptable_there_are_no_ranks() -> None:
    records = [
        judgment([["A"], ["B"]], labels="AB", all_unacceptable=True),
        judgment([["A"], ["B"]], labels="AB", all_unacceptable=True),
    ]

    record = consensus(records)

    assert record.all_unacceptable is True
    assert record.mean_rank == {"A": 0.0, "B": 0.0}
    assert record.ranking == [["A", "B"]]
    assert record.preferences == {("A", "B"): 0, ("B", "A"): 0}
