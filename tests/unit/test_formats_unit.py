"""Dataset row formats (exporters/formats.py): one record in, exact rows out. No database."""

from __future__ import annotations

from typing import Any

from exporters import formats
from tests.unit.builders import CODE, consensus_record, judgment

BASE_META: dict[str, Any] = {
    "task_id": "t-1",
    "language": "python",
    "models": {"A": "alpha", "B": "beta", "C": "gamma"},
    "tests_passed": {"A": 3, "B": 1, "C": None},
    "tests_total": {"A": 3, "B": 3, "C": None},
    "tests_trust": {"A": "isolated", "B": "in-process", "C": None},
}
JUDGMENT_META: dict[str, Any] = {
    **BASE_META,
    "agreement": 0.75,
    "judgment_id": 7,
    "annotator": "ann-1",
    "strength": 2,
    "submitted_at": "2026-03-04T10:00:00+00:00",
    "evidence_conflict": True,
    "review_verdict": "accepted",
    "review_score": 4,
}
REVIEWED: dict[str, Any] = {
    "agreement": 0.75,
    "strength": 2,
    "evidence_conflict": True,
    "review_verdict": "accepted",
    "review_score": 4,
}


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def pair_meta(meta: dict[str, Any], chosen: str, rejected: str) -> dict[str, Any]:
    models = meta["models"]
    return {
        **meta,
        "chosen_label": chosen,
        "rejected_label": rejected,
        "chosen_model": models[chosen],
        "rejected_model": models[rejected],
    }


def test_metadata_of_a_judgment() -> None:
    record = judgment([["A"], ["B"]], **REVIEWED)

    assert formats.metadata(record) == JUDGMENT_META


def test_metadata_of_a_pair_names_both_sides() -> None:
    record = judgment([["A"], ["B"]], **REVIEWED)

    assert formats.metadata(record, ("C", "B")) == pair_meta(JUDGMENT_META, "C", "B")


def test_metadata_of_a_consensus_and_the_tasks_own_metadata_when_it_has_some() -> None:
    record = consensus_record(task_metadata={"source": "humaneval"})

    assert formats.metadata(record) == {
        **BASE_META,
        "agreement": 0.5,
        "judgments": 2,
        "annotators": ["ann-1", "ann-2"],
        "mean_rank": {"A": 1.0, "B": 2.5, "C": 2.5},
        "task_metadata": {"source": "humaneval"},
    }
    assert "task_metadata" not in formats.metadata(consensus_record())


def test_dpo_gives_every_pair_across_rank_groups() -> None:
    record = judgment([["A"], ["B", "C"]], **REVIEWED)

    rows = list(formats.dpo(record))

    assert rows == [
        {"prompt": "Return a number.", "chosen": CODE["A"], "rejected": CODE["B"],
         "metadata": pair_meta(JUDGMENT_META, "A", "B")},
        {"prompt": "Return a number.", "chosen": CODE["A"], "rejected": CODE["C"],
         "metadata": pair_meta(JUDGMENT_META, "A", "C")},
    ]  # fmt: skip


def test_dpo_of_a_tie_or_all_unacceptable_is_empty() -> None:
    assert list(formats.dpo(judgment([["A", "B", "C"]]))) == []
    assert list(formats.dpo(judgment([["A"], ["B"], ["C"]], all_unacceptable=True))) == []


def test_dpo_conversational_wraps_the_turns_in_messages() -> None:
    record = judgment([["C"], ["A"]], labels="AC")
    meta = {
        **BASE_META,
        "models": {"A": "alpha", "C": "gamma"},
        "tests_passed": {"A": 3, "C": None},
        "tests_total": {"A": 3, "C": None},
        "tests_trust": {"A": "isolated", "C": None},
        "agreement": None,
        "judgment_id": 7,
        "annotator": "ann-1",
        "strength": None,
        "submitted_at": "2026-03-04T10:00:00+00:00",
        "evidence_conflict": False,
        "review_verdict": None,
        "review_score": None,
    }

    assert list(formats.dpo_conversational(record)) == [
        {
            "prompt": user("Return a number."),
            "chosen": assistant(CODE["C"]),
            "rejected": assistant(CODE["A"]),
            "metadata": pair_meta(meta, "C", "A"),
        }
    ]


def test_openai_preference_has_no_metadata() -> None:
    record = judgment([["B"], ["A"]])

    assert list(formats.openai_preference(record)) == [
        {
            "input": {"messages": user("Return a number.")},
            "preferred_output": assistant(CODE["B"]),
            "non_preferred_output": assistant(CODE["A"]),
        }
    ]


def test_kto_best_group_desirable_worst_undesirable_middle_left_out() -> None:
    record = judgment([["B"], ["A"], ["C"]], **REVIEWED)

    rows = list(formats.kto(record))

    assert rows == [
        {"prompt": "Return a number.", "completion": CODE["B"], "label": True,
         "metadata": {**JUDGMENT_META, "label": "B", "model": "beta"}},
        {"prompt": "Return a number.", "completion": CODE["C"], "label": False,
         "metadata": {**JUDGMENT_META, "label": "C", "model": "gamma"}},
    ]  # fmt: skip


def test_kto_with_two_groups_labels_every_response() -> None:
    rows = list(formats.kto(judgment([["A", "C"], ["B"]])))

    assert [(r["metadata"]["label"], r["label"]) for r in rows] == [("A", True), ("C", True), ("B", False)]


def test_kto_all_unacceptable_makes_every_response_undesirable_and_a_full_tie_says_nothing() -> None:
    rows = list(formats.kto(judgment([["C"], ["A", "B"]], all_unacceptable=True)))

    assert [(r["completion"], r["label"], r["metadata"]["model"]) for r in rows] == [
        (CODE["A"], False, "alpha"),
        (CODE["B"], False, "beta"),
        (CODE["C"], False, "gamma"),
    ]
    assert list(formats.kto(judgment([["A", "B", "C"]]))) == []
    assert list(formats.kto(judgment([]))) == []


def test_ranking_lists_every_completion_by_label_with_its_rank_from_one() -> None:
    ratings = {"A": {"correctness": 5}, "C": {"correctness": 2}}
    note = {"start": 1, "end": 2, "category": "style", "severity": "minor", "text": "name it"}
    record = judgment([["C"], ["A"]], ratings=ratings, line_comments=[{"label": "C", **note}], **REVIEWED)  # B unranked

    (row,) = formats.ranking(record)

    assert row == {
        "prompt": "Return a number.",
        "completions": [
            {"model": "alpha", "response": CODE["A"], "rank": 2, "ratings": {"correctness": 5},
             "tests_passed": 3, "tests_total": 3, "tests_trust": "isolated", "line_comments": []},
            {"model": "beta", "response": CODE["B"], "rank": None, "ratings": {},
             "tests_passed": 1, "tests_total": 3, "tests_trust": "in-process", "line_comments": []},
            {"model": "gamma", "response": CODE["C"], "rank": 1, "ratings": {"correctness": 2},
             "tests_passed": None, "tests_total": None, "tests_trust": None, "line_comments": [note]},
        ],
        "metadata": {**JUDGMENT_META, "all_unacceptable": False},
    }  # fmt: skip


def test_ranking_all_unacceptable_has_no_ranks_and_a_consensus_no_ratings() -> None:
    (unacceptable,) = formats.ranking(
        judgment([["A"], ["B"]], labels="AB", all_unacceptable=True, ratings={"A": {"x": 1}})
    )
    (consensus,) = formats.ranking(consensus_record())

    assert [c["rank"] for c in unacceptable["completions"]] == [None, None]
    assert unacceptable["metadata"]["all_unacceptable"] is True
    assert [(c["rank"], c["ratings"]) for c in consensus["completions"]] == [(1, {}), (2, {}), (2, {})]


def test_sft_is_the_prompt_and_the_annotators_ideal_solution() -> None:
    record = judgment([["A"], ["B"]], ideal_solution="def f():\n    return 42\n", **REVIEWED)

    assert list(formats.sft(record)) == [
        {
            "messages": user("Return a number.") + assistant("def f():\n    return 42\n"),
            "metadata": JUDGMENT_META,
        }
    ]


def test_sft_without_an_ideal_solution_or_for_a_consensus_is_empty() -> None:
    assert list(formats.sft(judgment([["A"], ["B"]], ideal_solution=" \n\t"))) == []
    assert list(formats.sft(judgment([["A"], ["B"]]))) == []
    assert list(formats.sft(consensus_record())) == []


def test_raw_is_the_whole_record_and_consensus_preferences_a_sorted_list() -> None:
    (row,) = formats.raw(consensus_record())
    (judged,) = formats.raw(judgment([["A"], ["B"]], labels="AB"))

    assert row["preferences"] == [["A", "B", 2], ["A", "C", 2], ["B", "C", 1], ["C", "B", 1]]
    assert row["mean_rank"] == {"A": 1.0, "B": 2.5, "C": 2.5} and row["judgments"] == 2
    assert judged["ranking"] == [["A"], ["B"]] and judged["rationale"] == "A is right."
    assert judged["candidates"]["A"] == {
        "label": "A",
        "model": "alpha",
        "code": CODE["A"],
        "tests_passed": 3,
        "tests_total": 3,
        "tests_trust": "isolated",
    }
    assert "preferences" not in judged


def test_the_format_names_and_the_judgment_only_formats() -> None:
    expected = {
        "dpo": formats.dpo,
        "dpo-conversational": formats.dpo_conversational,
        "openai-preference": formats.openai_preference,
        "kto": formats.kto,
        "ranking": formats.ranking,
        "sft": formats.sft,
        "raw": formats.raw,
    }
    assert expected == formats.FORMATS
    assert {"sft"} == formats.JUDGMENT_ONLY
