"""The export's fast paths give what the plain ones gave: reading only the columns a format needs, JSON
read as text and decoded by query.loads, timestamps as text on PostgreSQL, side queries by range of ids,
the Parquet row check and the JSONL encoder (exporters/query.py, writers.fits, services.JSON_LINE)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from annotation.models import Assignment, Review, TestCase, TestResult, TestRun
from exporters import formats, query, schema, services, writers
from exporters.records import JudgmentRecord
from tasks.models import Project
from tests.exporters.test_formats_golden import CASES
from tests.unit.builders import voters

ALL_CASES = [*CASES, ("verifiable", "judgment")]


def export(project: Project, fmt: str, mode: str, tmp_path: Path, output: str = "jsonl") -> bytes:
    out = tmp_path / f"{fmt}-{mode}-{len(list(tmp_path.iterdir()))}.{output}"
    options = services.ExportOptions(format=fmt, mode=mode, output=output)
    try:
        services.write_dataset(
            project=project,
            format=fmt,
            mode=mode,
            filters={},
            cutoff=timezone.now(),
            after=None,
            out=out,
            options=options,
        )
    except services.NoRows as empty:
        return f"no rows: {empty}".encode()
    return out.read_bytes()


def run(assignment: Assignment, passed: dict[str, int], *, status: str = TestResult.Status.PASSED) -> TestRun:
    """A finished run of the assignment's own test file, `passed[label]` tests passing out of 3."""
    test_run = TestRun.objects.create(
        assignment=assignment,
        test_case=TestCase.objects.create(assignment=assignment, code=f"def test_{len(passed)}(): pass\n"),
    )
    for response in assignment.task.responses.all():
        TestResult.objects.create(
            test_run=test_run,
            response=response,
            status=status,
            passed=passed.get(response.label, 0),
            failed=3 - passed.get(response.label, 0),
            tests=[{"name": f"test_{i}", "outcome": "passed", "duration_ms": 1.5, "message": ""} for i in range(3)],
            trust="isolated",
            finished_at=timezone.now(),
        )
    return test_run


@pytest.fixture
def evidenced(golden_with_conversation: Project) -> Project:
    """The golden scene with test runs (an old one, then the last one) and reviews (the last one counts)
    on some of its judgments."""
    reviewer = get_user_model().objects.create(username="speed-reviewer")
    for n, assignment in enumerate(
        Assignment.objects.filter(task__project=golden_with_conversation, status="submitted").order_by("id")
    ):
        if n % 2 == 0:
            run(assignment, {"A": 1, "B": 1, "C": 1})
            run(assignment, {"A": 3, "B": 2 - n % 3})
        if n % 3 == 0:
            Review.objects.create(assignment=assignment, reviewer=reviewer, verdict="reject", score=1)
            Review.objects.create(assignment=assignment, reviewer=reviewer, verdict="accept", score=4 + n % 2)
    return golden_with_conversation


@pytest.mark.parametrize(("fmt", "mode"), ALL_CASES, ids=[f"{f}-{m}" for f, m in ALL_CASES])
def test_reading_only_what_a_format_needs_gives_the_same_bytes(
    evidenced: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, mode: str
) -> None:
    selected = export(evidenced, fmt, mode, tmp_path)
    monkeypatch.setattr(query, "needs", lambda *args, **kwargs: query.EVERYTHING)
    assert selected == export(evidenced, fmt, mode, tmp_path)


@pytest.mark.parametrize("fmt", ["dpo", "kto", "raw", "ranking"])
def test_allowed_import_metadata_is_read_when_the_project_lets_it_out(
    pairwise_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    selected = export(pairwise_project, fmt, "judgment", tmp_path)
    assert '"key": "difficulty"' in selected.decode()
    monkeypatch.setattr(query, "needs", lambda *args, **kwargs: query.EVERYTHING)
    assert selected == export(pairwise_project, fmt, "judgment", tmp_path)


@pytest.mark.parametrize("chunk", [1, 2, 3])
@pytest.mark.parametrize("by_list", [False, True])
def test_chunks_and_id_lists_give_the_same_bytes(
    evidenced: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, by_list: bool
) -> None:
    """Side queries by range of ids (dense chunks) or by list (sparse ones), tasks cut across chunks."""
    expected = {fmt: export(evidenced, fmt, "judgment", tmp_path) for fmt in ("raw", "dpo", "verifiable")}
    monkeypatch.setattr(query, "CHUNK", chunk)
    if by_list:
        monkeypatch.setattr(query, "among", lambda column, ids: {f"{column}__in": ids})
    assert {fmt: export(evidenced, fmt, "judgment", tmp_path) for fmt in expected} == expected


def test_parquet_gives_the_same_bytes_with_every_field_read(
    evidenced: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    selected = export(evidenced, "dpo", "judgment", tmp_path, "parquet")
    monkeypatch.setattr(query, "needs", lambda *args, **kwargs: query.EVERYTHING)
    assert selected == export(evidenced, "dpo", "judgment", tmp_path, "parquet")


def test_records_carry_the_last_run_and_the_last_review(evidenced: Project) -> None:
    qs = query.submitted(evidenced, filters={}, cutoff=timezone.now(), after=None)
    for fields in (query.EVERYTHING, query.needs("dpo")):
        seen_run = seen_review = 0
        for record, assignment in zip(query.records(qs, fields=fields), qs, strict=True):
            assert record.judgment_id == assignment.judgment.id
            assert assignment.submitted_at is not None
            assert record.submitted_at == assignment.submitted_at.isoformat()
            last = assignment.test_runs.order_by("created_at", "id").last()
            if last is not None:
                seen_run += 1
                by_label = {r.response.label: r for r in last.results.all() if r.response}
                for label, candidate in record.candidates.items():
                    assert candidate.tests_passed == by_label[label].passed
                    assert candidate.tests_total == 3 and candidate.tests_trust == "isolated"
                assert bool(record.test_results) == ("test_results" in fields)
            else:
                assert all(c.tests_passed is None for c in record.candidates.values())
            review = assignment.reviews.order_by("created_at", "id").last()
            seen_review += review is not None
            assert (record.review_verdict, record.review_score) == (
                (review.verdict, review.score) if review else (None, None)
            )
        assert seen_run and seen_review


def test_a_field_not_asked_for_stays_empty(evidenced: Project) -> None:
    qs = query.submitted(evidenced, filters={}, cutoff=timezone.now(), after=None)
    plain = next(r for r in query.records(qs, fields=()) if r.rationale == "" and r.ratings == {})
    full = next(r for r in query.records(qs) if r.judgment_id == plain.judgment_id)
    assert isinstance(plain, JudgmentRecord) and full.rationale and full.ratings
    assert (plain.comments, plain.line_comments, plain.tests_code, plain.test_results, plain.run_tests_code) == (
        {},
        [],
        "",
        [],
        "",
    )
    assert (plain.prompt, plain.ranking, plain.candidates, plain.annotator) == (
        full.prompt,
        full.ranking,
        full.candidates,
        full.annotator,
    )
    with pytest.raises(ValueError, match="unknown record fields"):
        list(query.records(qs, fields={"nonsense"}))


def test_needs_names_what_each_format_reads() -> None:
    assert query.needs("dpo") == frozenset()
    assert query.needs("dpo", metadata_keys=["difficulty"]) == {"task_metadata"}
    assert query.needs("ranking") == {"ratings", "line_comments"}
    assert query.needs("raw", mode="consensus") == frozenset()
    assert query.needs("sft") == {"ideal_solution"}
    assert query.needs("verifiable") >= {"test_results", "run_tests_code", "gold_answer"}
    assert query.needs("a-format-of-tomorrow") == query.EVERYTHING
    assert set(formats.NAMES) <= query.PLAIN_FORMATS | set(query.FORMAT_NEEDS)


def test_among_takes_a_range_only_where_the_ids_fill_half_of_it() -> None:
    assert query.among("task_id", {3, 4, 6}) == {"task_id__gte": 3, "task_id__lte": 6}
    assert query.among("task_id", {1, 10}) == {"task_id__in": {1, 10}}
    assert query.among("id", {7}) == {"id__gte": 7, "id__lte": 7}


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"a": [1, 2.5, -0.0, true, null], "b": "é\\u00e9😀"}',
        "12345678901234567890123",  # past 64 bits
        "[1e400]",  # json reads inf
        '"\\ud800"',  # a lone surrogate
        '{"a": 1, "a": 2}',
        "9223372036854775807",
        "not json at all",  # Django's JSONField gives the text back
    ],
)
def test_loads_gives_what_djangos_json_field_gives(text: str) -> None:
    try:
        expected = json.loads(text)
    except json.JSONDecodeError:
        expected = text
    got = query.loads(text)
    assert repr(got) == repr(expected) and type(got) is type(expected)
    assert query.loads(None) is None


@pytest.mark.parametrize(
    "when",
    [datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)],
)
def test_utc_iso_is_isoformat(when: datetime) -> None:
    text = when.strftime("%Y-%m-%dT%H:%M:%S.%f")  # what _UtcIso's to_char gives
    assert query.utc_iso(text) == when.isoformat()
    assert query.utc_iso(None) == "" and query.utc_iso("") == ""


def _value(kind: schema.Type, rng: random.Random, broken: bool) -> Any:
    if rng.random() < 0.1:
        return None
    if broken and not isinstance(kind, str) and rng.random() < 0.03:
        return rng.choice(["x", 1, [], {}])  # a scalar, or the other kind of container
    if isinstance(kind, schema.List):
        return [_value(kind.item, rng, broken) for _ in range(rng.randint(0, 3))]
    if isinstance(kind, dict):
        value = {name: _value(sub, rng, broken) for name, sub in kind.items()}
        if broken and rng.random() < 0.05:
            value.pop(next(iter(value)), None) if rng.random() < 0.5 else value.update(extra=1)
        return value
    good: dict[str, list[Any]] = {"string": ["", "x"], "int64": [0, -3], "float64": [0.5, 2], "bool": [True, False]}
    bad: list[Any] = ["1", 1, 1.5, True, [], {}]
    return rng.choice(bad if broken and rng.random() < 0.05 else good[kind])


def test_fits_agrees_with_schema_mismatch() -> None:
    rng = random.Random(7)
    shapes = [formats.Shape(), formats.Shape(margin="votes"), formats.Shape(sft_style="messages")]
    tried = {True: 0, False: 0}
    for fmt in formats.NAMES:
        for mode in ("judgment", "consensus"):
            for shape in shapes:
                columns = formats.columns(fmt, mode, shape)
                check = writers.fits(columns)
                for _ in range(40):
                    row = _value(columns, rng, broken=rng.random() < 0.5)
                    ok = schema.mismatch(row, columns) is None
                    assert check(row) == ok, (fmt, mode, row)
                    tried[ok] += 1
    assert min(tried.values()) > 100  # both kinds of rows were tried


def test_the_jsonl_encoder_writes_what_json_dumps_writes(evidenced: Project, tmp_path: Path) -> None:
    for fmt in ("raw", "dpo", "ranking"):
        for line in export(evidenced, fmt, "judgment", tmp_path).decode().splitlines():
            row = json.loads(line)
            assert services.JSON_LINE.encode(row) == json.dumps(row, ensure_ascii=False) == line


def test_a_merged_row_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Identical pairs of one task fold into the first: the others' rows are never made."""
    made: list[tuple[str, str] | None] = []
    real = formats.metadata

    def counted(record: Any, shape: formats.Shape, **kwargs: Any) -> dict[str, Any]:
        made.append(kwargs.get("pair"))
        return real(record, shape, **kwargs)

    monkeypatch.setattr(formats, "metadata", counted)
    rows = list(formats.task_rows("dpo", voters([["A"], ["B"]], [["A"], ["B"]], [["B"], ["A"]]), formats.Shape()))
    assert [r["count"] for r in rows] == [2] and made == [("A", "B")]  # B over A lost to the majority, unbuilt
