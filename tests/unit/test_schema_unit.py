"""Row schemas (exporters/schema.py, formats.columns): every format's rows in both modes, under assorted
training options, have exactly their declared columns, in order, and load into the declared Arrow schema."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from exporters import formats, schema
from exporters.consensus import consensus
from exporters.formats import Shape
from exporters.records import JudgmentRecord
from exporters.schema import MESSAGES, List
from tests.unit.builders import NOTE, conversation, judgment, last_run, rows

IMPORTED = {"source": "humaneval", "tags": ["easy"], "answer": "42"}
PASSED = {"name": "test_one", "outcome": "passed", "duration_ms": 2, "message": ""}
FAILED = {"name": "test_one", "outcome": "failed", "duration_ms": 1.5, "message": "assert 2 == 1"}
TESTS = "from solution import f\n\n\ndef test_one():\n    assert f() == 1\n"


def single_prompt_task() -> list[JudgmentRecord]:
    """Four judgments of a three-response task: ratings, comments, test runs (the file A, the majority's
    first choice, passes), a review, strengths, contradictions (A over B and B over A; B over C and C over
    B), an ideal solution twice and an "all unacceptable"."""
    shared: dict[str, Any] = {"task_metadata": IMPORTED, "agreement": 0.5556}
    return [
        judgment(
            [["A"], ["B", "C"]],
            judgment_id=1,
            annotator="ann-1",
            strength=2,
            ratings={"A": {"correctness": 5, "style": 3}, "C": {"correctness": 1}},
            comments={"A": "right", "C": "wrong"},
            line_comments=[NOTE],
            test_results=[last_run("A", "passed", PASSED), last_run("B", "failed", FAILED), last_run("C", "error")],
            tests_code=TESTS,
            run_tests_code=TESTS,
            ideal_solution="def f():\n    return 42\n",
            evidence_conflict=True,
            evidence_note="C errors",
            review_verdict="accepted",
            review_score=4,
            **shared,
        ),
        judgment([["B"], ["A"], ["C"]], judgment_id=2, annotator="ann-2", strength=3, **shared),
        judgment(
            [["A"], ["B"], ["C"]],
            judgment_id=3,
            annotator="ann-3",
            all_unacceptable=True,
            ideal_solution="def f():\n    return 42\n",
            **shared,
        ),
        judgment([["A"], ["C"], ["B"]], judgment_id=4, annotator="ann-4", **shared),
    ]


def conversation_task() -> list[JudgmentRecord]:
    """Two judgments of a conversation task: one ranks (and ran a file A passes), one ties."""
    return [
        conversation(
            [["A"], ["B"]],
            labels="AB",
            task_id="t-2",
            judgment_id=5,
            ideal_solution="Use `return 1`.",
            test_results=[last_run("A", "passed", PASSED), last_run("B", "failed", FAILED)],
            run_tests_code=TESTS,
        ),
        conversation([["A", "B"]], labels="AB", task_id="t-2", judgment_id=6, annotator="ann-2"),
    ]


SHAPES = {
    "defaults": Shape(),
    "training": Shape(
        margin="strength",
        fence=True,
        system="Be brief.",
        sft_style="messages",
        metadata_keys=("source", "tags"),
        image="code-sandbox:1",
    ),
    "votes-kept": Shape(margin="votes", contradictions="keep", separator=""),
    "dropped": Shape(contradictions="drop", separator="\n", fence=True),
}
CASES = [
    (fmt, mode, name)
    for fmt in formats.NAMES
    for mode in ("judgment", "consensus")
    if not (mode == "consensus" and fmt in formats.JUDGMENT_ONLY)
    for name in SHAPES
]


def task_rows(fmt: str, mode: str, shape: Shape) -> list[list[dict[str, Any]]]:
    """Each task's rows."""
    tasks = [single_prompt_task(), conversation_task()]
    return [rows(fmt, [consensus(task)] if mode == "consensus" else task, shape) for task in tasks]


@pytest.mark.parametrize(("fmt", "mode", "shape"), CASES)
def test_every_row_has_exactly_the_columns_of_its_format(fmt: str, mode: str, shape: str) -> None:
    columns = formats.columns(fmt, mode, SHAPES[shape])

    per_task = task_rows(fmt, mode, SHAPES[shape])
    got = [row for task in per_task for row in task]

    assert [len(task) > 0 for task in per_task] == [True, True]  # both tasks give rows to check
    assert [schema.mismatch(row, columns) for row in got] == [None] * len(got)
    assert {tuple(row) for row in got} == {tuple(columns)}  # in the declared order
    # Every value fits its Arrow type, and comes back as written.
    assert pa.Table.from_pylist(got, schema=schema.arrow_schema(columns)).to_pylist() == got


def test_the_columns_of_each_format() -> None:
    names = {fmt: list(formats.columns(fmt, "judgment", Shape())) for fmt in formats.FORMATS}
    raw_base = ["task_id", "prompt", "messages", "language", "ranking", "all_unacceptable", "agreement"]

    assert names == {
        "dpo": ["prompt", "chosen", "rejected", "count", "metadata"],
        "dpo-conversational": ["prompt", "chosen", "rejected", "count", "metadata"],
        "openai-preference": ["input", "preferred_output", "non_preferred_output"],
        "kto": ["prompt", "completion", "label", "count", "metadata"],
        "kto-conversational": ["prompt", "completion", "label", "count", "metadata"],
        "ranking": ["prompt", "completions", "metadata"],
        "sft": ["prompt", "completion", "count", "metadata"],
        "raw": [*raw_base, "task_metadata", "responses", *schema.SOURCE, "rationale", "ideal_solution",
                "active_seconds", "evidence_note", "tests_code"],
    }  # fmt: skip
    assert list(formats.columns("raw", "consensus", Shape())) == [
        *raw_base,
        "task_metadata",
        "responses",
        "judgments",
        "annotators",
        "preferences",
    ]
    assert list(formats.columns("sft", "judgment", Shape(sft_style="messages"))) == ["messages", "count", "metadata"]
    for margin in ("strength", "votes"):
        assert list(formats.columns("dpo", "consensus", Shape(margin=margin))) == [
            "prompt",
            "chosen",
            "rejected",
            "margin",
            "count",
            "metadata",
        ]
        assert "margin" not in formats.columns("kto", "judgment", Shape(margin=margin))
        assert "margin" not in formats.columns("openai-preference", "judgment", Shape(margin=margin))


def test_mismatch_says_where_a_value_breaks_its_type() -> None:
    columns: dict[str, schema.Type] = {"n": "int64", "turns": MESSAGES, "score": "float64", "ok": "bool"}
    good = {"n": 1, "turns": [{"role": "user", "content": "hi"}], "score": 2, "ok": False}

    assert schema.mismatch(good, columns) is None
    assert schema.mismatch({"n": None, "turns": [None], "score": None, "ok": None}, columns) is None  # null anywhere
    assert schema.mismatch({**good, "score": 2.5}, columns) is None
    assert schema.mismatch({"n": 1}, columns) == "row: keys differ (missing ['ok', 'score', 'turns'], extra [])"
    assert schema.mismatch({**good, "count": 1}, columns) == "row: keys differ (missing [], extra ['count'])"
    assert schema.mismatch({**good, "n": True}, columns) == "row.n: int64, not bool True"
    assert schema.mismatch({**good, "n": 1.0}, columns) == "row.n: int64, not float 1.0"
    assert schema.mismatch({**good, "score": False}, columns) == "row.score: float64, not bool False"
    assert schema.mismatch({**good, "ok": 0}, columns) == "row.ok: bool, not int 0"
    assert schema.mismatch({**good, "turns": {"role": "user"}}, columns) == "row.turns: a list, not dict"
    assert schema.mismatch({**good, "turns": ["hi"]}, columns) == "row.turns[0]: an object, not str"
    wrong = {**good, "turns": [{"role": "user", "content": "hi"}, {"role": "user", "content": 3}]}
    assert schema.mismatch(wrong, columns) == "row.turns[1].content: string, not int 3"


def test_features_are_datasets_features_as_to_dict_gives_them() -> None:
    columns: dict[str, schema.Type] = {"prompt": "string", "chosen": MESSAGES, "meta": {"n": "int64"}}
    value = {"dtype": "string", "_type": "Value"}

    assert schema.features(columns) == {
        "prompt": value,
        "chosen": {"feature": {"role": value, "content": value}, "_type": "List"},
        "meta": {"n": {"dtype": "int64", "_type": "Value"}},
    }


def test_the_arrow_schema_has_the_columns_in_order_and_carries_the_features() -> None:
    columns = formats.columns("dpo-conversational", "judgment", Shape(margin="votes"))

    arrow = schema.arrow_schema(columns)

    assert arrow.names == ["prompt", "chosen", "rejected", "margin", "count", "metadata"]
    assert json.loads(arrow.metadata[b"huggingface"]) == {"info": {"features": schema.features(columns)}}
    assert arrow.field("margin").type == pa.float64()
    assert arrow.field("chosen").type == pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    assert arrow.field("metadata").type.field("annotators").type == pa.list_(pa.string())
    assert schema.arrow(List(List("bool"))) == pa.list_(pa.list_(pa.bool_()))
