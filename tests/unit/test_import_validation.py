"""The validation half of the JSONL import (tasks/importing.py): every line checked on its own, exact
"line N: ..." messages, no database (the id clash with a project and the write are tested in tests/tasks/)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from tasks import importing
from tasks.importing import ImportRejected, ParsedTask, parse_lines
from tasks.models import RankingMode
from tests.conftest import task_line


def errors_of(*items: Any) -> list[str]:
    """Errors of a file made of these lines (dicts are JSON-encoded, str and bytes taken as they are)."""
    lines = [json.dumps(i) if isinstance(i, dict) else i for i in items]
    return parse_lines(lines)[1]


def error_of(item: Any) -> str:
    (error,) = errors_of(item)
    return error


def response(model: Any = "m", code: Any = "x = 1\n", **extra: Any) -> dict[str, Any]:
    return {"model": model, "code": code, **extra}


def test_a_good_line_becomes_a_parsed_task() -> None:
    line = task_line("ext-1", responses=[response("m1", "a = 1\n"), response("m2", "b = 2\n")])

    parsed, errors = parse_lines([json.dumps(line)])

    assert errors == []
    assert parsed == [
        ParsedTask(
            line=1,
            external_id="ext-1",
            prompt="Write `add(a, b)` for ext-1.",
            language="python",
            responses=[("m1", "a = 1\n"), ("m2", "b = 2\n")],
            metadata={"source": "test"},
        )
    ]


def test_bytes_lines_are_utf8_and_blank_lines_are_skipped_but_counted() -> None:
    line = json.dumps(task_line("é-1", language=" JavaScript ")).encode("utf-8")

    parsed, errors = parse_lines([b"", "   \n", line])

    assert errors == []
    assert [(t.line, t.external_id, t.language) for t in parsed] == [(3, "é-1", "javascript")]


def test_a_byte_order_mark_is_dropped_on_the_first_line_only() -> None:
    bom = "\ufeff" + json.dumps(task_line("a"))

    parsed, errors = parse_lines([bom, "\ufeff" + json.dumps(task_line("b"))])

    assert [t.external_id for t in parsed] == ["a"]
    assert errors == ["line 2: invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) (column 1)"]


def test_invalid_utf8_names_the_byte_and_its_column() -> None:
    # '{"id": "' is 8 bytes: the bad byte is the 9th
    assert errors_of(b'{"id": "\xff"}', b"\x80") == [
        "line 1: not valid UTF-8 (byte 0xff at column 9)",
        "line 2: not valid UTF-8 (byte 0x80 at column 1)",
    ]


def test_invalid_json_gives_the_parsers_reason_and_column() -> None:
    assert error_of('{"id": ') == "line 1: invalid JSON: Expecting value (column 8)"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("[1]", "a list"), ('"x"', "a string"), ("3", "a number"), ("1.5", "a number"), ("true", "a boolean"),
     ("null", "null")],
)  # fmt: skip
def test_a_line_must_be_an_object(text: str, kind: str) -> None:
    assert error_of(text) == f"line 1: expected a JSON object, got {kind}"


def test_unknown_fields_are_named_sorted_with_the_allowed_ones() -> None:
    line = {**task_line(), "zzz": 1, "extra": 2}

    assert error_of(line) == (
        'line 1: unknown field "extra", "zzz" (allowed: id, prompt, messages, language, responses, metadata)'
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", None, 'missing field "id"'),
        ("id", 5, '"id" must be a string, got a number'),
        ("id", " \t", '"id" is empty'),
        ("id", "x" * 201, '"id" is 201 characters; the limit is 200'),
        ("prompt", None, 'missing field "prompt" (or "messages" for a conversation)'),
        ("prompt", ["p"], '"prompt" must be a string, got a list'),
        ("prompt", "", '"prompt" is empty'),
        ("language", None, 'missing field "language"'),
        ("language", True, '"language" must be a string, got a boolean'),
        ("language", " Ruby", 'unknown language " Ruby" (supported: javascript, python)'),
        ("responses", None, 'missing field "responses"'),
        ("responses", {"a": 1}, '"responses" must be a list, got an object'),
        ("metadata", [1], '"metadata" must be an object, got a list'),
        ("metadata", "notes", '"metadata" must be an object, got a string'),
    ],
)
def test_each_task_field_is_checked(field: str, value: Any, message: str) -> None:
    line = task_line()
    if value is None:
        del line[field]
    else:
        line[field] = value

    assert error_of(line) == f"line 1: {message}"


def test_an_id_of_exactly_the_limit_and_missing_or_null_metadata_are_fine() -> None:
    at_limit = task_line("x" * 200)
    no_metadata = task_line("b")
    del no_metadata["metadata"]
    null_metadata = {**task_line("c"), "metadata": None}

    parsed, errors = parse_lines([json.dumps(at_limit), json.dumps(no_metadata), json.dumps(null_metadata)])

    assert errors == []
    assert [t.metadata for t in parsed] == [{"source": "test"}, {}, {}]


@pytest.mark.parametrize(("count", "ok"), [(1, False), (2, True), (8, True), (9, False), (0, False)])
def test_a_task_has_two_to_eight_responses(count: int, ok: bool) -> None:
    errors = errors_of(task_line(responses=count))

    assert errors == ([] if ok else [f"line 1: a task needs 2 to 8 responses, this one has {count}"])


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        (["x", response()], "responses[0] must be an object, got a string"),
        ([response(), response(lang="py")], 'unknown field "responses[1].lang" (allowed: model, code)'),
        ([{"code": "x"}, response()], 'missing field "responses[0].model"'),
        ([response(), {"model": "m"}], 'missing field "responses[1].code"'),
        ([response(model=3), response()], '"responses[0].model" must be a string, got a number'),
        ([response(), response(code="  ")], '"responses[1].code" is empty'),
        ([response(model="m" * 201), response()], '"responses[0].model" is 201 characters; the limit is 200'),
    ],
)
def test_each_response_is_checked(responses: list[Any], message: str) -> None:
    assert error_of(task_line(responses=responses)) == f"line 1: {message}"


def test_a_model_name_of_exactly_the_limit_is_fine() -> None:
    assert errors_of(task_line(responses=[response("m" * 200), response()])) == []


def test_code_and_prompt_are_limited_in_utf8_bytes(settings: Any) -> None:
    settings.IMPORT_MAX_CODE_BYTES = 4
    settings.IMPORT_MAX_PROMPT_BYTES = 1000
    over_code = task_line("a", responses=[response(code="abcd"), response(code="éé.")])  # 5 bytes, 3 characters
    over_prompt = task_line("b", prompt="p" * 1001, responses=[response(code="ab"), response(code="é")])
    at_limits = task_line("c", prompt="p" * 1000, responses=[response(code="abcd"), response(code="éé")])

    assert errors_of(over_code, over_prompt, at_limits) == [
        'line 1: "responses[1].code" is 5 bytes; the limit is 4 (IMPORT_MAX_CODE_BYTES)',
        'line 2: "prompt" is 1,001 bytes; the limit is 1,000 (IMPORT_MAX_PROMPT_BYTES)',
    ]


def test_a_duplicate_id_names_the_line_it_was_first_seen_on() -> None:
    parsed, errors = parse_lines(
        [json.dumps(task_line("x")), json.dumps(task_line("y")), json.dumps(task_line("x")), json.dumps(task_line("x"))]
    )

    assert [t.line for t in parsed] == [1, 2]
    assert errors == [
        'line 3: duplicate id "x" (first seen on line 1)',
        'line 4: duplicate id "x" (first seen on line 1)',
    ]


def test_a_bad_line_does_not_stop_the_check_of_the_next_ones() -> None:
    parsed, errors = parse_lines(["[", json.dumps(task_line("ok")), "{}", b"\xfe"])

    assert [t.external_id for t in parsed] == ["ok"]
    assert errors == [
        "line 1: invalid JSON: Expecting value (column 2)",
        'line 3: missing field "id"',
        "line 4: not valid UTF-8 (byte 0xfe at column 1)",
    ]


def test_a_bad_line_does_not_claim_its_id() -> None:
    bad = task_line("x", language="cobol")

    parsed, errors = parse_lines([json.dumps(bad), json.dumps(task_line("x"))])

    assert [(t.line, t.external_id) for t in parsed] == [(2, "x")]
    assert len(errors) == 1 and errors[0].startswith("line 1: unknown language")


def test_json_type_names() -> None:
    assert importing._json_type({}) == "an object"
    assert importing._json_type(False) == "a boolean"  # a bool is not counted as a number
    assert importing._json_type(0) == "a number"
    assert importing._json_type(0.5) == "a number"
    assert importing._json_type(None) == "null"
    assert importing._json_type((1,)) == "tuple"


def test_a_pairwise_project_takes_only_tasks_of_two_responses() -> None:
    pairwise = SimpleNamespace(ranking_mode=RankingMode.PAIRWISE, slug="duel")
    ranking = SimpleNamespace(ranking_mode=RankingMode.RANKING, slug="rank")
    tasks = [
        ParsedTask(4, "a", "p", "python", [("m", "x")] * 3),
        ParsedTask(5, "b", "p", "python", [("m", "x")] * 2),
    ]

    assert importing._mode_mismatches(pairwise, tasks) == [  # type: ignore[arg-type]
        'line 4: project "duel" compares pairs: a task needs exactly 2 responses, this one has 3 '
        "(use a project in n-way ranking mode)"
    ]
    assert importing._mode_mismatches(ranking, tasks) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "number"),
    [
        ("line 12: bad", 12),
        ("line 3", 3),
        ("line 7: invalid JSON: Expecting value (column 8)", 7),
        ("the file has no tasks: expected one JSON object per line", 0),
        ("lines 4: x", 0),
    ],
)
def test_errors_sort_by_their_line_number(error: str, number: int) -> None:
    assert importing._line_number(error) == number


def test_a_rejection_keeps_the_first_200_errors_and_counts_the_rest() -> None:
    errors = [f"line {i}: bad" for i in range(1, 251)]

    rejected = ImportRejected(errors)

    assert rejected.errors == errors[:200]
    assert (rejected.total, rejected.more) == (250, 50)
    assert str(rejected) == "line 1: bad; line 2: bad; line 3: bad"


def test_a_rejection_can_say_how_many_errors_there_were_in_all() -> None:
    rejected = ImportRejected(["line 1: bad"], total=7)

    assert (rejected.errors, rejected.total, rejected.more) == (["line 1: bad"], 7, 6)
    assert ImportRejected(["a"], total=0).total == 0


@pytest.mark.parametrize("bad", ["", 0, False, []])
def test_metadata_that_is_not_an_object_is_refused_even_when_falsy(bad: Any) -> None:
    """`data.get("metadata") or {}` let "", 0 and false through as {} while "x" was refused."""
    assert "metadata" in error_of(task_line(metadata=bad))


def test_metadata_left_out_or_null_is_empty() -> None:
    assert errors_of(task_line(), task_line("t2", metadata=None)) == []
