"""Dataset row formats (exporters/formats.py): one task's records in, exact rows out (`task_rows`). No database."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from exporters import formats
from exporters.consensus import consensus
from exporters.formats import Lengths, Report, Shape
from exporters.records import Candidate
from tests.unit.builders import (
    CODE,
    MODELS,
    NOTE,
    THREAD,
    THREAD_TEXT,
    consensus_record,
    conversation,
    judgment,
    last_run,
    rows,
    voters,
)

IDEAL = "def f():\n    return 42\n"
PROMPT = "Return a number.\n\n"  # the prompt and the default separator
REVIEWED: dict[str, Any] = {
    "agreement": 0.75,
    "strength": 2,
    "evidence_conflict": True,
    "review_verdict": "accepted",
    "review_score": 4,
}
TESTS = {"A": (3, 3, "isolated"), "B": (1, 3, "in-process"), "C": (None, None, None)}


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def system(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": text}]


def responses(labels: str = "ABC", mean_rank: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """metadata.responses for the builders' candidates: tested per judgment, untested with mean ranks in consensus."""
    return [
        {
            "label": label,
            "model": MODELS[label],
            "tests_passed": None if mean_rank else TESTS[label][0],
            "tests_total": None if mean_rank else TESTS[label][1],
            "trust": None if mean_rank else TESTS[label][2],
            "mean_rank": mean_rank[label] if mean_rank else None,
        }
        for label in labels
    ]


def source(**fields: Any) -> dict[str, Any]:
    """One judgment behind a row (metadata.sources), for the builders' default judgment unless told."""
    return {
        "judgment_id": 7,
        "annotator": "ann-1",
        "strength": None,
        "submitted_at": "2026-03-04T10:00:00+00:00",
        "evidence_conflict": False,
        "review_verdict": None,
        "review_score": None,
        **fields,
    }


REVIEWED_META: dict[str, Any] = {
    "agreement": 0.75,
    "sources": [source(strength=2, evidence_conflict=True, review_verdict="accepted", review_score=4)],
}


def meta(*, labels: str = "ABC", pair: str = "", one: str = "", **fields: Any) -> dict[str, Any]:
    """A row's metadata for the builders' default judgment; `pair` "AB" is A chosen over B, `one` KTO's label."""
    return {
        "task_id": "t-1",
        "language": "python",
        "responses": responses(labels),
        "agreement": None,
        "all_unacceptable": False,
        "chosen_label": pair[0] if pair else None,
        "rejected_label": pair[1] if pair else None,
        "chosen_model": MODELS[pair[0]] if pair else None,
        "rejected_model": MODELS[pair[1]] if pair else None,
        "completion_label": one or None,
        "completion_model": MODELS[one] if one else None,
        "mode": "judgment",
        "judgments": None,
        "annotators": ["ann-1"],
        "sources": [source()],
        "task_metadata": [],
        **fields,
    }


def fenced(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```\n"


def told(got: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """Each preference row as (chosen label, rejected label, count)."""
    return [(r["metadata"]["chosen_label"], r["metadata"]["rejected_label"], r["count"]) for r in got]


def labelled(got: list[dict[str, Any]]) -> list[tuple[str, bool, int]]:
    """Each KTO row as (completion label, desirable, count)."""
    return [(r["metadata"]["completion_label"], r["label"], r["count"]) for r in got]


# -- the formats ------------------------------------------------------------------------------------


def test_the_format_names_and_their_kinds() -> None:
    assert {
        "dpo": formats.dpo,
        "dpo-conversational": formats.dpo_conversational,
        "openai-preference": formats.openai_preference,
        "kto": formats.kto,
        "kto-conversational": formats.kto_conversational,
        "ranking": formats.ranking,
        "sft": formats.sft,
        "raw": formats.raw,
    } == formats.FORMATS
    assert list(formats.FORMATS) == [  # the order the choices are offered in
        "dpo",
        "dpo-conversational",
        "openai-preference",
        "kto",
        "kto-conversational",
        "ranking",
        "sft",
        "raw",
    ]
    assert {"verifiable"} == formats.TASK_FORMATS  # one row per task, from its judgments together
    assert (*formats.FORMATS, "verifiable") == formats.NAMES
    assert {"sft", "verifiable"} == formats.JUDGMENT_ONLY
    assert {"dpo", "dpo-conversational", "openai-preference"} == formats.PAIRED
    assert {"openai-preference"} == formats.NO_EXTRA_KEYS


def test_a_task_without_records_has_no_rows() -> None:
    assert [rows(fmt, []) for fmt in formats.NAMES] == [[] for _ in formats.NAMES]


def test_dpo_gives_a_row_for_every_pair_across_rank_groups() -> None:
    record = judgment([["A"], ["B", "C"]], **REVIEWED)

    assert rows("dpo", [record]) == [
        {"prompt": PROMPT, "chosen": CODE["A"], "rejected": CODE["B"], "count": 1,
         "metadata": meta(pair="AB", **REVIEWED_META)},
        {"prompt": PROMPT, "chosen": CODE["A"], "rejected": CODE["C"], "count": 1,
         "metadata": meta(pair="AC", **REVIEWED_META)},
    ]  # fmt: skip


def test_dpo_pairs_of_a_longer_ranking_come_best_first() -> None:
    got = rows("dpo", [judgment([["C"], ["A"], ["B"]])])

    assert [(r["chosen"], r["rejected"]) for r in got] == [
        (CODE["C"], CODE["A"]),
        (CODE["C"], CODE["B"]),
        (CODE["A"], CODE["B"]),
    ]
    assert told(got) == [("C", "A", 1), ("C", "B", 1), ("A", "B", 1)]


@pytest.mark.parametrize("fmt", sorted(formats.PAIRED))
def test_a_full_tie_or_all_unacceptable_gives_no_pair(fmt: str) -> None:
    assert rows(fmt, [judgment([["A", "B", "C"]])]) == []
    assert rows(fmt, [judgment([["A"], ["B"], ["C"]], all_unacceptable=True)]) == []
    assert len(rows(fmt, [judgment([["A"], ["B"], ["C"]])])) == 3  # the same ranking, acceptable


def test_dpo_conversational_puts_the_prompt_and_each_response_in_turns() -> None:
    record = judgment([["C"], ["A"]], labels="AC")

    assert rows("dpo-conversational", [record]) == [
        {
            "prompt": user("Return a number."),
            "chosen": assistant(CODE["C"]),
            "rejected": assistant(CODE["A"]),
            "count": 1,
            "metadata": meta(labels="AC", pair="CA"),
        }
    ]


@pytest.mark.parametrize("margin", formats.MARGINS)
def test_openai_preference_has_its_three_keys_and_nothing_else(margin: str) -> None:
    record = judgment([["B"], ["A"]], labels="AB", strength=2)

    assert rows("openai-preference", [record], Shape(margin=margin)) == [
        {
            "input": {"messages": user("Return a number.")},
            "preferred_output": assistant(CODE["B"]),
            "non_preferred_output": assistant(CODE["A"]),
        }
    ]


def test_kto_best_group_desirable_worst_undesirable_middle_left_out() -> None:
    record = judgment([["B"], ["A"], ["C"]], **REVIEWED)

    assert rows("kto", [record]) == [
        {"prompt": PROMPT, "completion": CODE["B"], "label": True, "count": 1,
         "metadata": meta(one="B", **REVIEWED_META)},
        {"prompt": PROMPT, "completion": CODE["C"], "label": False, "count": 1,
         "metadata": meta(one="C", **REVIEWED_META)},
    ]  # fmt: skip


def test_kto_with_two_groups_labels_every_response() -> None:
    got = rows("kto", [judgment([["A", "C"], ["B"]])])

    assert [(r["completion"], r["label"], r["metadata"]["completion_model"]) for r in got] == [
        (CODE["A"], True, "alpha"),
        (CODE["C"], True, "gamma"),
        (CODE["B"], False, "beta"),
    ]


@pytest.mark.parametrize("fmt", ["kto", "kto-conversational"])
def test_kto_all_unacceptable_makes_every_response_undesirable_and_a_full_tie_says_nothing(fmt: str) -> None:
    got = rows(fmt, [judgment([["C"], ["A", "B"]], all_unacceptable=True)])

    assert labelled(got) == [("A", False, 1), ("B", False, 1), ("C", False, 1)]
    assert [r["metadata"]["all_unacceptable"] for r in got] == [True, True, True]
    assert rows(fmt, [judgment([["A", "B", "C"]])]) == []
    assert rows(fmt, [judgment([])]) == []


def test_kto_conversational_has_turns_for_the_prompt_and_the_completion() -> None:
    record = conversation([["A"], ["B"]], labels="AB")

    assert rows("kto-conversational", [record]) == [
        {"prompt": THREAD, "completion": assistant(CODE["A"]), "label": True, "count": 1,
         "metadata": meta(labels="AB", one="A")},
        {"prompt": THREAD, "completion": assistant(CODE["B"]), "label": False, "count": 1,
         "metadata": meta(labels="AB", one="B")},
    ]  # fmt: skip


def test_ranking_lists_every_completion_by_label_with_its_rank_from_one() -> None:
    ratings = {"A": {"style": 4, "correctness": 5}, "C": {"correctness": 2}}
    record = judgment([["C"], ["A"]], ratings=ratings, line_comments=[NOTE], **REVIEWED)  # B unranked
    note = {"start": 1, "end": 2, "category": "style", "severity": "minor", "text": "name it"}

    assert rows("ranking", [record]) == [
        {
            "prompt": PROMPT,
            "completions": [
                {"label": "A", "model": "alpha", "response": CODE["A"], "rank": 2,
                 "ratings": [{"dimension": "correctness", "score": 5}, {"dimension": "style", "score": 4}],
                 "tests_passed": 3, "tests_total": 3, "trust": "isolated", "line_comments": []},
                {"label": "B", "model": "beta", "response": CODE["B"], "rank": None, "ratings": [],
                 "tests_passed": 1, "tests_total": 3, "trust": "in-process", "line_comments": []},
                {"label": "C", "model": "gamma", "response": CODE["C"], "rank": 1,
                 "ratings": [{"dimension": "correctness", "score": 2}],
                 "tests_passed": None, "tests_total": None, "trust": None, "line_comments": [note]},
            ],
            "metadata": meta(**REVIEWED_META),
        }
    ]  # fmt: skip


def test_ranking_all_unacceptable_has_no_ranks_and_a_consensus_no_ratings_or_comments() -> None:
    (unacceptable,) = rows(
        "ranking", [judgment([["A"], ["B"]], labels="AB", all_unacceptable=True, ratings={"A": {"x": 1}})]
    )
    (agreed,) = rows("ranking", [consensus_record()])

    assert [(c["rank"], c["ratings"]) for c in unacceptable["completions"]] == [
        (None, [{"dimension": "x", "score": 1}]),
        (None, []),
    ]
    assert unacceptable["metadata"]["all_unacceptable"] is True
    assert [(c["label"], c["rank"], c["ratings"], c["line_comments"]) for c in agreed["completions"]] == [
        ("A", 1, [], []),
        ("B", 2, [], []),
        ("C", 2, [], []),
    ]
    assert agreed["metadata"]["mode"] == "consensus"


def test_ranking_gives_one_row_per_judgment_even_when_they_agree() -> None:
    report = Report()

    got = rows("ranking", voters([["A"], ["B"]], [["A"], ["B"]]), report=report)

    assert [r["metadata"]["sources"] for r in got] == [
        [source(judgment_id=1, annotator="ann-1")],
        [source(judgment_id=2, annotator="ann-2")],
    ]
    assert [r["metadata"]["annotators"] for r in got] == [["ann-1"], ["ann-2"]]
    assert report.merged == 0


def test_sft_is_the_prompt_and_the_annotators_ideal_solution() -> None:
    record = judgment([["A"], ["B"]], ideal_solution=IDEAL, **REVIEWED)

    assert rows("sft", [record]) == [
        {"prompt": user("Return a number."), "completion": assistant(IDEAL), "count": 1,
         "metadata": meta(**REVIEWED_META)}
    ]  # fmt: skip


def test_sft_in_the_messages_style_is_one_list_of_turns() -> None:
    record = judgment([["A"], ["B"]], ideal_solution=IDEAL)

    assert rows("sft", [record], Shape(sft_style="messages")) == [
        {"messages": user("Return a number.") + assistant(IDEAL), "count": 1, "metadata": meta()}
    ]


def test_sft_without_an_ideal_solution_or_for_a_consensus_is_empty() -> None:
    assert rows("sft", [judgment([["A"], ["B"]], ideal_solution=" \n\t")]) == []
    assert rows("sft", [judgment([["A"], ["B"]])]) == []
    assert rows("sft", [consensus_record()]) == []


def test_raw_is_everything_known_of_the_judgment() -> None:
    record = judgment(
        [["A"], ["B"]],
        labels="AB",
        ratings={"A": {"style": 4, "correctness": 5}},
        comments={"A": "clean"},
        line_comments=[{**NOTE, "label": "A"}],
        test_results=[
            last_run("A", "passed", {"name": "test_one", "outcome": "passed", "duration_ms": 3, "message": ""}),
        ],
        ideal_solution=IDEAL,
        tests_code="def test_one(): ...",
        evidence_note="B fails test_one",
        task_metadata={"source": "humaneval"},
        **REVIEWED,
    )

    (row,) = rows("raw", [record], Shape(metadata_keys=("source",)))

    assert row == {
        "task_id": "t-1",
        "prompt": "Return a number.",
        "messages": [],
        "language": "python",
        "ranking": [["A"], ["B"]],
        "all_unacceptable": False,
        "agreement": 0.75,
        "task_metadata": [{"key": "source", "value": '"humaneval"'}],
        "responses": [
            {"label": "A", "model": "alpha", "tests_passed": 3, "tests_total": 3, "trust": "isolated",
             "mean_rank": None, "code": CODE["A"],
             "ratings": [{"dimension": "correctness", "score": 5}, {"dimension": "style", "score": 4}],
             "comment": "clean",
             "line_comments": [{"start": 1, "end": 2, "category": "style", "severity": "minor", "text": "name it"}],
             "test_status": "passed",
             "tests": [{"name": "test_one", "outcome": "passed", "duration_ms": 3.0, "message": ""}]},
            {"label": "B", "model": "beta", "tests_passed": 1, "tests_total": 3, "trust": "in-process",
             "mean_rank": None, "code": CODE["B"], "ratings": [], "comment": "", "line_comments": [],
             "test_status": None, "tests": []},
        ],
        "judgment_id": 7,
        "annotator": "ann-1",
        "strength": 2,
        "submitted_at": "2026-03-04T10:00:00+00:00",
        "evidence_conflict": True,
        "review_verdict": "accepted",
        "review_score": 4,
        "rationale": "A is right.",
        "ideal_solution": IDEAL,
        "active_seconds": 60,
        "evidence_note": "B fails test_one",
        "tests_code": "def test_one(): ...",
    }  # fmt: skip
    assert type(row["responses"][0]["tests"][0]["duration_ms"]) is float  # a float64 column, whatever was stored


def test_raw_tests_keep_what_the_run_stored_and_null_the_rest() -> None:
    record = judgment(
        [["A"], ["B"]],
        labels="AB",
        test_results=[last_run("B", "error", {"name": "test_two", "duration_ms": "slow"}, {"outcome": "failed"})],
    )

    (row,) = rows("raw", [record])

    assert [(r["test_status"], r["tests"]) for r in row["responses"]] == [
        (None, []),
        (
            "error",
            [
                {"name": "test_two", "outcome": None, "duration_ms": None, "message": None},
                {"name": None, "outcome": "failed", "duration_ms": None, "message": None},
            ],
        ),
    ]


def test_raw_of_a_consensus_has_its_preferences_as_a_sorted_list() -> None:
    (row,) = rows("raw", [consensus_record(preferences={("B", "C"): 1, ("A", "C"): 2, ("A", "B"): 2, ("C", "B"): 1})])

    assert row == {
        "task_id": "t-1",
        "prompt": "Return a number.",
        "messages": [],
        "language": "python",
        "ranking": [["A"], ["B", "C"]],
        "all_unacceptable": False,
        "agreement": 0.5,
        "task_metadata": [],
        "responses": [{**r, "code": CODE[r["label"]]} for r in responses(mean_rank={"A": 1.0, "B": 2.5, "C": 2.5})],
        "judgments": 2,
        "annotators": ["ann-1", "ann-2"],
        "preferences": [
            {"better": "A", "worse": "B", "judgments": 2},
            {"better": "A", "worse": "C", "judgments": 2},
            {"better": "B", "worse": "C", "judgments": 1},
            {"better": "C", "worse": "B", "judgments": 1},
        ],
    }


# -- consensus mode ---------------------------------------------------------------------------------


def test_a_consensus_row_counts_once_and_carries_every_judgment_behind_it() -> None:
    record = consensus_record()
    consensus_meta: dict[str, Any] = {
        "responses": responses(mean_rank={"A": 1.0, "B": 2.5, "C": 2.5}),
        "agreement": 0.5,
        "mode": "consensus",
        "judgments": 2,
        "annotators": ["ann-1", "ann-2"],
        "sources": [source(judgment_id=1, annotator="ann-1"), source(judgment_id=2, annotator="ann-2")],
    }

    # B and C are one judgment each way: no pair.
    assert rows("dpo", [record]) == [
        {"prompt": PROMPT, "chosen": CODE["A"], "rejected": CODE["B"], "count": 1,
         "metadata": meta(pair="AB", **consensus_meta)},
        {"prompt": PROMPT, "chosen": CODE["A"], "rejected": CODE["C"], "count": 1,
         "metadata": meta(pair="AC", **consensus_meta)},
    ]  # fmt: skip
    assert labelled(rows("kto", [record])) == [("A", True, 1), ("B", False, 1), ("C", False, 1)]


def test_a_consensus_of_split_judgments_gives_no_pair_and_no_contradiction() -> None:
    report = Report()

    got = rows("dpo", [consensus(voters([["A"], ["B"]], [["B"], ["A"]]))], report=report)

    assert got == []
    assert (report.contradiction_count, report.contradictions, report.dropped) == (0, [], 0)


def test_a_consensus_row_has_no_one_annotators_test_counts() -> None:
    first, second = voters([["A"], ["B"]], [["A"], ["B"]])
    second.candidates = {
        label: Candidate(label, c.model, c.code, 0, 5, "in-process") for label, c in second.candidates.items()
    }

    (row,) = rows("dpo", [consensus([first, second])])

    assert [(r["tests_passed"], r["tests_total"], r["trust"]) for r in row["metadata"]["responses"]] == [
        (None, None, None),
        (None, None, None),
    ]


# -- duplicates and contradictions (per judgment) ---------------------------------------------------


def test_a_pair_given_by_several_judgments_of_a_task_is_one_row_with_its_count_and_sources() -> None:
    first = judgment([["A"], ["B", "C"]], judgment_id=8, annotator="ann-2")
    second = judgment([["A", "C"], ["B"]], judgment_id=7, annotator="ann-1")
    report = Report()

    got = rows("dpo", [first, second], report=report)

    assert told(got) == [("A", "B", 2), ("A", "C", 1), ("C", "B", 1)]
    assert [r["metadata"]["sources"] for r in got] == [
        [source(judgment_id=8, annotator="ann-2"), source()],
        [source(judgment_id=8, annotator="ann-2")],
        [source()],
    ]
    assert [r["metadata"]["annotators"] for r in got] == [["ann-1", "ann-2"], ["ann-2"], ["ann-1"]]
    assert (report.merged, report.contradiction_count, report.dropped) == (1, 0, 0)


def test_identical_kto_rows_merge_and_the_balance_counts_their_judgments() -> None:
    records = [judgment([["A"], ["B"]], labels="AB", judgment_id=i, annotator=who) for i, who in ((1, "x"), (2, "y"))]
    records.append(judgment([["A"], ["B"]], labels="AB", judgment_id=3, annotator="x"))  # x judged it twice
    report = Report()

    got = rows("kto", records, report=report)

    assert labelled(got) == [("A", True, 3), ("B", False, 3)]
    assert [s["judgment_id"] for s in got[0]["metadata"]["sources"]] == [1, 2, 3]
    assert got[0]["metadata"]["annotators"] == ["x", "y"]
    assert (report.merged, report.desirable, report.undesirable) == (4, 3, 3)


def test_identical_ideal_solutions_of_a_task_are_one_sft_row() -> None:
    other = "def f():\n    return 0\n"
    records = [
        judgment([["A"], ["B"]], judgment_id=i, annotator=f"ann-{i}", ideal_solution=ideal)
        for i, ideal in ((1, IDEAL), (2, other), (3, IDEAL))
    ]
    report = Report()

    got = rows("sft", records, report=report)

    assert [(r["completion"], r["count"], [s["judgment_id"] for s in r["metadata"]["sources"]]) for r in got] == [
        (assistant(IDEAL), 2, [1, 3]),
        (assistant(other), 1, [2]),
    ]
    assert report.merged == 1


def test_a_contradiction_is_settled_by_the_majority() -> None:
    report = Report()

    got = rows("dpo", voters([["B"], ["A"]], [["A"], ["B"]], [["A"], ["B"]]), report=report)

    assert told(got) == [("A", "B", 2)]
    assert report.contradictions == [{"task_id": "t-1", "row": "B over A", "against": "A over B", "votes": [1, 2]}]
    assert (report.contradiction_count, report.dropped) == (1, 1)


def test_the_majority_keeps_the_side_with_more_votes_whichever_came_first() -> None:
    report = Report()

    got = rows("dpo", voters([["A"], ["B"]], [["A"], ["B"]], [["B"], ["A"]]), report=report)

    assert told(got) == [("A", "B", 2)]
    assert report.contradictions == [{"task_id": "t-1", "row": "A over B", "against": "B over A", "votes": [2, 1]}]


def test_a_tied_contradiction_drops_both_sides_under_the_majority() -> None:
    report = Report()

    got = rows("dpo", voters([["A"], ["B"]], [["B"], ["A"]]), report=report)

    assert got == []
    assert report.contradictions == [{"task_id": "t-1", "row": "A over B", "against": "B over A", "votes": [1, 1]}]
    assert (report.contradiction_count, report.dropped) == (1, 2)


def test_the_drop_policy_drops_both_sides_even_with_a_majority() -> None:
    report = Report()
    task = voters([["A"], ["B"], ["C"]], [["A"], ["B"], ["C"]], [["B"], ["A"], ["C"]], labels="ABC")

    got = rows("dpo", task, Shape(contradictions="drop"), report=report)

    assert told(got) == [("A", "C", 3), ("B", "C", 3)]
    assert report.contradictions == [{"task_id": "t-1", "row": "A over B", "against": "B over A", "votes": [2, 1]}]
    assert (report.contradiction_count, report.dropped) == (1, 2)


def test_the_keep_policy_keeps_both_sides_and_still_reports_them() -> None:
    report = Report()

    got = rows("dpo", voters([["A"], ["B"]], [["B"], ["A"]], [["A"], ["B"]]), Shape(contradictions="keep"), report)

    assert told(got) == [("A", "B", 2), ("B", "A", 1)]
    assert report.contradictions == [{"task_id": "t-1", "row": "A over B", "against": "B over A", "votes": [2, 1]}]
    assert (report.contradiction_count, report.dropped) == (1, 0)


def test_a_kto_completion_labelled_both_ways_is_a_contradiction() -> None:
    task = voters([["A"], ["B"]], [["A"], ["B"]], [["B"], ["A"]])
    report, kept = Report(), Report()

    got = rows("kto", task, report=report)
    both = rows("kto", task, Shape(contradictions="keep"), kept)

    assert labelled(got) == [("A", True, 2), ("B", False, 2)]
    assert report.contradictions == [
        {"task_id": "t-1", "row": "A desirable", "against": "A undesirable", "votes": [2, 1]},
        {"task_id": "t-1", "row": "B undesirable", "against": "B desirable", "votes": [2, 1]},
    ]
    assert (report.contradiction_count, report.dropped, report.desirable, report.undesirable) == (2, 2, 2, 2)
    assert labelled(both) == [("A", True, 2), ("B", False, 2), ("B", True, 1), ("A", False, 1)]
    assert (kept.desirable, kept.undesirable) == (3, 3)
    rows("kto-conversational", task, report=kept)  # the conversational format balances the same way
    assert (kept.desirable, kept.undesirable) == (5, 5)


def test_every_contradiction_of_a_task_is_found_whatever_rows_come_before_it() -> None:
    report = Report()
    task = voters([["A"], ["B"], ["C"]], [["A"], ["C"], ["B"]], labels="ABC")  # agree on A, split on B and C

    got = rows("dpo", task, report=report)

    assert told(got) == [("A", "B", 2), ("A", "C", 2)]
    assert report.contradictions == [{"task_id": "t-1", "row": "B over C", "against": "C over B", "votes": [1, 1]}]
    assert (report.contradiction_count, report.dropped) == (1, 2)


def test_a_task_drops_the_rows_of_all_its_contradictions_and_the_report_adds_them_up() -> None:
    report = Report()

    kto = rows("kto-conversational", voters([["A"], ["B"]], [["B"], ["A"]]), report=report)  # A and B: 1-1 each
    dpo = rows(
        "dpo", voters([["A"], ["B"], ["C"]], [["C"], ["B"], ["A"]], labels="ABC"), Shape(contradictions="drop"), report
    )

    assert kto == [] and dpo == []
    assert (report.contradiction_count, report.dropped, report.desirable, report.undesirable) == (5, 10, 0, 0)
    assert [(c["row"], c["against"]) for c in report.contradictions] == [
        ("A desirable", "A undesirable"),
        ("B undesirable", "B desirable"),
        ("A over B", "B over A"),
        ("A over C", "C over A"),
        ("B over C", "C over B"),
    ]


def test_the_report_lists_the_first_thousand_contradictions_and_counts_them_all() -> None:
    report = Report()

    for n in range(formats.CONTRADICTIONS_LISTED + 1):
        task = [
            judgment([["A"], ["B"]], labels="AB", task_id=f"t-{n}", judgment_id=2 * n),
            judgment([["B"], ["A"]], labels="AB", task_id=f"t-{n}", judgment_id=2 * n + 1),
        ]
        rows("dpo", task, Shape(contradictions="keep"), report)

    assert report.contradiction_count == 1001
    assert len(report.contradictions) == 1000
    assert report.contradictions[-1]["task_id"] == "t-999"
    assert report.to_dict("dpo")["contradictions"]["count"] == 1001


# -- margin -----------------------------------------------------------------------------------------


def test_margin_strength_is_the_mean_strength_of_the_judgments_behind_the_pair() -> None:
    task = [
        judgment(ranking, labels="AB", judgment_id=i, annotator=f"ann-{i}", strength=strength)
        for i, (ranking, strength) in enumerate(
            [([["A"], ["B"]], 1), ([["A"], ["B"]], 2), ([["A"], ["B"]], None), ([["A"], ["B"]], 2), ([["B"], ["A"]], 3)]
        )
    ]

    got = rows("dpo", task, Shape(margin="strength", contradictions="keep"))

    assert [(r["metadata"]["chosen_label"], r["margin"]) for r in got] == [("A", 1.6667), ("B", 3.0)]
    assert list(got[0]) == ["prompt", "chosen", "rejected", "margin", "count", "metadata"]


def test_margin_strength_is_zero_when_no_judgment_gave_one() -> None:
    (row,) = rows("dpo-conversational", voters([["A"], ["B"]], [["A"], ["B"]]), Shape(margin="strength"))

    assert row["margin"] == 0.0


def test_margin_votes_is_the_share_of_the_tasks_judgments_for_the_pair_minus_the_share_against() -> None:
    # Three for A over B, one against, a tie and an "all unacceptable": six judgments of the task.
    task = voters([["A"], ["B"]], [["A"], ["B"]], [["B"], ["A"]], [["A", "B"]], [["A"], ["B"]], [["B"], ["A"]])
    task[-1].all_unacceptable = True

    kept = rows("dpo", task, Shape(margin="votes", contradictions="keep"))
    settled = rows("dpo-conversational", task, Shape(margin="votes"))

    assert [(r["metadata"]["chosen_label"], r["margin"]) for r in kept] == [("A", 0.3333), ("B", -0.3333)]
    assert [(r["metadata"]["chosen_label"], r["margin"]) for r in settled] == [("A", 0.3333)]


def test_margin_votes_without_a_judgment_against_the_pair() -> None:
    (alone,) = rows("dpo", voters([["A"], ["B"]]), Shape(margin="votes"))
    (with_a_tie,) = rows("dpo", voters([["A"], ["B"]], [["A"], ["B"]], [["A", "B"]]), Shape(margin="votes"))

    assert (alone["margin"], with_a_tie["margin"]) == (1.0, 0.6667)


def test_margin_votes_of_a_consensus_is_the_same_as_per_judgment() -> None:
    task = voters([["A"], ["B"]], [["B"], ["A"]], [["A"], ["B"]])

    (per_judgment,) = rows("dpo", task, Shape(margin="votes"))
    (agreed,) = rows("dpo", [consensus(task)], Shape(margin="votes"))

    assert per_judgment["margin"] == agreed["margin"] == 0.3333
    assert [r["margin"] for r in rows("dpo", [consensus_record()], Shape(margin="votes"))] == [1.0, 1.0]


def test_margin_strength_of_a_consensus_counts_only_the_judgments_behind_the_pair() -> None:
    task = [
        judgment(ranking, labels="AB", judgment_id=i, annotator=f"ann-{i}", strength=strength)
        for i, (ranking, strength) in enumerate([([["A"], ["B"]], 1), ([["A"], ["B"]], 1), ([["B"], ["A"]], 3)])
    ]

    (per_judgment,) = rows("dpo", task, Shape(margin="strength"))
    (agreed,) = rows("dpo", [consensus(task)], Shape(margin="strength"))

    assert per_judgment["margin"] == 1.0
    assert agreed["margin"] == per_judgment["margin"]


@pytest.mark.parametrize("fmt", ["dpo", "dpo-conversational", "kto", "ranking", "sft", "raw"])
def test_without_margin_or_outside_the_pair_formats_there_is_no_margin(fmt: str) -> None:
    task = voters([["A"], ["B"]], [["A"], ["B"]], strength=2, ideal_solution=IDEAL)
    margin = "none" if fmt.startswith("dpo") else "votes"

    got = rows(fmt, task, Shape(margin=margin))

    assert got and all("margin" not in row for row in got)


# -- separator, fence, system turn ------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\n\n", "\n", ""])
def test_the_string_formats_end_the_prompt_with_the_separator(separator: str) -> None:
    record = judgment([["A"], ["B"]], labels="AB", ideal_solution=IDEAL)
    shape = Shape(separator=separator)
    prompt = "Return a number." + separator

    assert [r["prompt"] for r in rows("dpo", [record], shape)] == [prompt]
    assert [r["prompt"] for r in rows("kto", [record], shape)] == [prompt, prompt]
    assert [r["prompt"] for r in rows("ranking", [record], shape)] == [prompt]
    # Not the raw record, nor a turn's content.
    assert [r["prompt"] for r in rows("raw", [record], shape)] == ["Return a number."]
    assert [r["prompt"] for r in rows("dpo-conversational", [record], shape)] == [user("Return a number.")]
    assert [r["prompt"] for r in rows("kto-conversational", [record], shape)] == [user("Return a number.")] * 2
    assert [r["prompt"] for r in rows("sft", [record], shape)] == [user("Return a number.")]


def test_a_conversation_is_the_turns_of_the_message_formats_and_its_text_in_the_string_formats() -> None:
    turns = [{**THREAD[0], "name": "setup"}, *THREAD[1:]]  # a key rows have no column for
    record = conversation([["A"], ["B"]], labels="AB", turns=turns, ideal_solution="Use `return 1`.")

    assert [r["prompt"] for r in rows("dpo", [record])] == [THREAD_TEXT + "\n\n"]
    assert [r["prompt"] for r in rows("kto", [record])] == [THREAD_TEXT + "\n\n"] * 2
    assert [r["prompt"] for r in rows("ranking", [record])] == [THREAD_TEXT + "\n\n"]
    assert [r["prompt"] for r in rows("dpo-conversational", [record])] == [THREAD]
    assert [r["input"] for r in rows("openai-preference", [record])] == [{"messages": THREAD}]
    assert [(r["prompt"], r["completion"]) for r in rows("sft", [record])] == [(THREAD, assistant("Use `return 1`."))]
    assert [(r["prompt"], r["messages"]) for r in rows("raw", [record])] == [(THREAD_TEXT, THREAD)]


def test_fence_code_wraps_a_single_prompts_code_in_a_fence_with_its_language() -> None:
    record = judgment([["A"], ["B"]], labels="AB", ideal_solution="x = 42\n\n", language="rust")
    shape = Shape(fence=True)
    a, b = (f"```rust\n{CODE[label].rstrip()}\n```\n" for label in "AB")

    assert [(r["chosen"], r["rejected"]) for r in rows("dpo", [record], shape)] == [(a, b)]
    assert [(r["chosen"], r["rejected"]) for r in rows("dpo-conversational", [record], shape)] == [
        (assistant(a), assistant(b))
    ]
    assert [r["preferred_output"] for r in rows("openai-preference", [record], shape)] == [assistant(a)]
    assert [r["completion"] for r in rows("kto", [record], shape)] == [a, b]
    assert [r["completion"] for r in rows("kto-conversational", [record], shape)] == [assistant(a), assistant(b)]
    assert [c["response"] for r in rows("ranking", [record], shape) for c in r["completions"]] == [a, b]
    assert [r["completion"] for r in rows("sft", [record], shape)] == [assistant("```rust\nx = 42\n```\n")]
    # raw keeps the code as it is
    assert [c["code"] for r in rows("raw", [record], shape) for c in r["responses"]] == [CODE["A"], CODE["B"]]
    # and without the option nothing is fenced
    assert [(r["chosen"], r["rejected"]) for r in rows("dpo", [record])] == [(CODE["A"], CODE["B"])]


def test_fence_code_leaves_conversations_and_code_already_fenced_as_they_are() -> None:
    shape = Shape(fence=True)
    prose = conversation([["A"], ["B"]], labels="AB", ideal_solution="Use `return 1`.")
    already = fenced(CODE["A"])
    record = judgment(
        [["A"], ["B"]], candidates={"A": Candidate("A", "alpha", already), "B": Candidate("B", "beta", CODE["B"])}
    )

    assert [(r["chosen"], r["rejected"]) for r in rows("dpo", [prose], shape)] == [(CODE["A"], CODE["B"])]
    assert [r["completion"] for r in rows("sft", [prose], shape)] == [assistant("Use `return 1`.")]
    assert [(r["chosen"], r["rejected"]) for r in rows("dpo", [record], shape)] == [(already, fenced(CODE["B"]))]


def test_fence_code_wraps_code_that_only_mentions_a_fence() -> None:
    code = 'FENCE = "```"\n'
    record = judgment(
        [["A"], ["B"]], candidates={"A": Candidate("A", "alpha", code), "B": Candidate("B", "beta", CODE["B"])}
    )

    assert [r["chosen"] for r in rows("dpo", [record], Shape(fence=True))] == ['```python\nFENCE = "```"\n```\n']


def test_a_system_turn_comes_first_in_the_message_formats_only() -> None:
    record = judgment([["A"], ["B"]], labels="AB", ideal_solution=IDEAL)
    shape = Shape(system="Be brief.")
    turns = system("Be brief.") + user("Return a number.")

    assert [r["prompt"] for r in rows("dpo-conversational", [record], shape)] == [turns]
    assert [r["input"]["messages"] for r in rows("openai-preference", [record], shape)] == [turns]
    assert [r["prompt"] for r in rows("kto-conversational", [record], shape)] == [turns, turns]
    assert [r["prompt"] for r in rows("sft", [record], shape)] == [turns]
    assert [r["messages"] for r in rows("sft", [record], Shape(system="Be brief.", sft_style="messages"))] == [
        turns + assistant(IDEAL)
    ]
    assert [r["prompt"] for r in rows("dpo", [record], shape)] == [PROMPT]
    assert [r["messages"] for r in rows("raw", [record], shape)] == [[]]


def test_a_conversations_own_system_turn_wins() -> None:
    shape = Shape(system="Be brief.")
    own = conversation([["A"], ["B"]], labels="AB")
    without = conversation([["A"], ["B"]], labels="AB", turns=THREAD[1:])

    assert [r["prompt"] for r in rows("dpo-conversational", [own], shape)] == [THREAD]
    assert [r["prompt"] for r in rows("dpo-conversational", [without], shape)] == [system("Be brief.") + THREAD[1:]]


# -- import metadata --------------------------------------------------------------------------------

IMPORTED = {
    "source": "humaneval",
    "tags": {"b": [1, "é"], "a": None},
    "difficulty": 3,
    "reference_tests": "assert f() == 42  # ANSWER-KEY",
}
ALLOWED = [
    {"key": "difficulty", "value": "3"},
    {"key": "source", "value": '"humaneval"'},
    {"key": "tags", "value": '{"a": null, "b": [1, "é"]}'},
]


def every_row(shape: Shape) -> list[dict[str, Any]]:
    """Every format's rows in both modes for one task whose import metadata has an answer key."""
    task = voters([["A"], ["B"]], [["A"], ["B"]], task_metadata=IMPORTED, ideal_solution=IDEAL)
    out = [row for fmt in formats.FORMATS for row in rows(fmt, task, shape)]
    return out + [row for fmt in formats.FORMATS for row in rows(fmt, [consensus(task)], shape)]


def test_only_the_allowed_import_metadata_keys_leave_their_values_as_json_text() -> None:
    got = every_row(Shape(metadata_keys=("tags", "source", "difficulty", "not-in-this-task")))

    shipped = [row["metadata"]["task_metadata"] if "metadata" in row else row.get("task_metadata") for row in got]
    assert [s for s in shipped if s is not None] == [ALLOWED] * sum(1 for row in got if "input" not in row)
    assert [json.loads(item["value"]) for item in ALLOWED] == [3, "humaneval", {"a": None, "b": [1, "é"]}]
    assert "ANSWER-KEY" not in json.dumps(got) and "reference_tests" not in json.dumps(got)


def test_without_an_allow_list_no_import_metadata_leaves() -> None:
    got = every_row(Shape())

    assert {json.dumps(row["metadata"]["task_metadata"]) for row in got if "metadata" in row} == {"[]"}
    assert {json.dumps(row["task_metadata"]) for row in got if "task_metadata" in row} == {"[]"}
    assert "humaneval" not in json.dumps(got)


# -- lengths and the report ---------------------------------------------------------------------------


def test_lengths_below_a_thousand_are_exact_percentiles() -> None:
    hundred, three, same = Lengths(), Lengths(), Lengths()
    for n in range(100, 0, -1):
        hundred.add(n)
    for n in (30, 10, 20):
        three.add(n)
    for n in [5] * 9 + [999]:
        same.add(n)

    assert hundred.summary() == {"min": 1, "p50": 50, "p90": 90, "p99": 99, "max": 100}
    assert three.summary() == {"min": 10, "p50": 20, "p90": 30, "p99": 30, "max": 30}
    assert same.summary() == {"min": 5, "p50": 5, "p90": 5, "p99": 999, "max": 999}
    assert (hundred.n, three.n, same.n) == (100, 3, 10)


def test_no_lengths_have_no_summary_and_one_is_every_percentile() -> None:
    one = Lengths()
    one.add(0)

    assert Lengths().summary() is None
    assert one.summary() == {"min": 0, "p50": 0, "p90": 0, "p99": 0, "max": 0}


def test_lengths_above_a_thousand_are_within_half_a_percent() -> None:
    rng = random.Random(14)
    values = [rng.randint(1000, 2_000_000) for _ in range(5000)] + [rng.randint(1, 999) for _ in range(300)]
    lengths = Lengths()
    for value in values:
        lengths.add(value)
    exact = sorted(values)

    summary = lengths.summary()

    assert summary is not None
    for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        nearest_rank = exact[math.ceil(share * len(exact)) - 1]
        assert nearest_rank > 1000 and abs(summary[name] - nearest_rank) <= 0.005 * nearest_rank, name
    assert summary["min"] == exact[0]
    assert abs(summary["max"] - exact[-1]) <= 0.005 * exact[-1]


def test_lengths_keep_a_count_per_three_significant_digits_not_per_length() -> None:
    lengths = Lengths()
    for value in range(0, 200_000, 7):
        lengths.add(value)
    rounded = Lengths()
    for value in (999, 1000, 1236, 98_765):
        rounded.add(value)

    assert lengths.n == 28_572
    assert len(lengths.counts) == 143 + 900 + 900 + 101  # each below 1,000, then 900 a decade (and 200,000)
    assert rounded.counts == {999: 1, 1000: 1, 1240: 1, 98_800: 1}


def test_the_report_measures_the_prompt_and_every_completion_a_row_trains_on() -> None:
    record = judgment(
        [["A"], ["B"], ["C"]],
        candidates={
            label: Candidate(label, MODELS[label], label * size)
            for label, size in zip("ABC", (10, 20, 30), strict=True)
        },
    )
    report = Report()

    rows("dpo", [record], report=report)  # A over B, A over C, B over C

    assert report.prompt_chars.summary() == {"min": 18, "p50": 18, "p90": 18, "p99": 18, "max": 18}
    assert report.completion_chars.summary() == {"min": 10, "p50": 20, "p90": 30, "p99": 30, "max": 30}
    assert report.completion_chars.n == 6


def test_texts_are_a_rows_prompt_and_completions_whatever_its_format() -> None:
    record = judgment([["A"], ["B"]], labels="AB", ideal_solution=IDEAL)
    shape = Shape(system="Be brief.")
    text = {fmt: [formats.texts(row) for row in rows(fmt, [record], shape)] for fmt in formats.FORMATS}
    turns = "Be brief.\nReturn a number."

    assert text == {
        "dpo": [(PROMPT, [CODE["A"], CODE["B"]])],
        "dpo-conversational": [(turns, [CODE["A"], CODE["B"]])],
        "openai-preference": [(turns, [CODE["A"], CODE["B"]])],
        "kto": [(PROMPT, [CODE["A"]]), (PROMPT, [CODE["B"]])],
        "kto-conversational": [(turns, [CODE["A"]]), (turns, [CODE["B"]])],
        "ranking": [(PROMPT, [CODE["A"], CODE["B"]])],
        "sft": [(turns, [IDEAL])],
        "raw": [("Return a number.", [])],
    }
    (messages,) = rows("sft", [record], Shape(system="Be brief.", sft_style="messages"))
    assert formats.texts(messages) == (turns, [IDEAL])


def test_the_report_as_the_manifest_gives_it() -> None:
    report = Report()
    rows("kto", voters([["A"], ["B"]], [["A"], ["B"]], [["B"], ["A"]]), report=report)
    size = len(CODE["A"])

    assert report.to_dict("kto") == {
        "merged_duplicates": 2,
        "contradictions": {
            "policy_dropped_rows": 2,
            "count": 2,
            "pairs": [
                {"task_id": "t-1", "row": "A desirable", "against": "A undesirable", "votes": [2, 1]},
                {"task_id": "t-1", "row": "B undesirable", "against": "B desirable", "votes": [2, 1]},
            ],
        },
        "lengths_chars": {
            "prompt": {"min": 18, "p50": 18, "p90": 18, "p99": 18, "max": 18},
            "completion": {"min": size, "p50": size, "p90": size, "p99": size, "max": size},
        },
        "kto": {"desirable": 2, "undesirable": 2},
    }
    assert "kto" in report.to_dict("kto-conversational")
    assert "kto" not in report.to_dict("dpo")


def test_the_report_says_whose_tokens_were_counted_or_why_none_were() -> None:
    empty, counted, missing = Report(), Report(tokenizer="gpt2"), Report(tokens_unavailable="gpt2: not installed")
    counted.prompt_tokens.add(5)

    assert empty.to_dict("dpo") == {
        "merged_duplicates": 0,
        "contradictions": {"policy_dropped_rows": 0, "count": 0, "pairs": []},
        "lengths_chars": {"prompt": None, "completion": None},
    }
    assert counted.to_dict("dpo")["lengths_tokens"] == {
        "tokenizer": "gpt2",
        "prompt": {"min": 5, "p50": 5, "p90": 5, "p99": 5, "max": 5},
        "completion": None,
    }
    assert missing.to_dict("dpo")["lengths_tokens"] == {"unavailable": "gpt2: not installed"}


def test_the_verifiable_format_measures_its_rows_and_counts_the_tasks_without_one() -> None:
    tests = "from solution import f\n\n\ndef test_one():\n    assert f() == 1\n"
    run = [last_run("A", "passed", {"name": "test_one", "outcome": "passed"})]
    # The annotator put B first, but the task is gold with A preferred: A is the reference, and it passed.
    (gold,) = voters([["B"], ["A"]], test_results=run, run_tests_code=tests, gold_answer={"preferred": "A"})
    report = Report()

    (row,) = rows("verifiable", [gold], Shape(image="sandbox:1"), report)
    split_top = rows("verifiable", voters([["A"], ["B"]], [["B"], ["A"]]), report=report)
    untested = rows("verifiable", voters([["A"], ["B"]]), report=report)

    assert (row["reference"]["label"], row["reference"]["chosen_by"], row["image"]) == ("A", "gold", "sandbox:1")
    assert [t["code"] for t in row["tests"]] == [tests]
    assert split_top == untested == []
    assert report.prompt_chars.summary() == {"min": 16, "p50": 16, "p90": 16, "p99": 16, "max": 16}
    assert report.to_dict("verifiable")["tasks_without_a_row"] == {"no_reference": 1, "no_test_the_reference_passed": 1}
    assert "tasks_without_a_row" not in report.to_dict("dpo")
