"""Read submitted judgments as JudgmentRecords, in a stable order, a chunk at a time (memory stays flat).

Speed (a million judgments in well under a minute): one pass over the assignments through a server-side
cursor on PostgreSQL, selecting only the columns the format reads (`needs`); JSON columns come as text,
decoded here (`loads`), not by Django's converters; a task's columns are decoded once for all its
judgments (rows come ordered by task), and so is each distinct ranking; timestamps come as text on
PostgreSQL (`_UtcIso`); each chunk's responses, last test runs and reviews come in a few queries, by range
of ids where the chunk's ids fill it (`among`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connections, reset_queries
from django.db.models import CharField, Expression, F, Func, QuerySet, TextField
from django.db.models.functions import Cast

from annotation import rankings
from annotation.access import pseudonym
from annotation.models import Assignment, Review, TestResult, TestRun
from annotation.review import services as review
from exporters.records import Candidate, JudgmentRecord
from tasks.models import Project, Response, thread_text

CHUNK = 5000


def submitted(
    project: Project, *, filters: dict[str, Any], cutoff: datetime, after: datetime | None
) -> QuerySet[Assignment]:
    """The submitted assignments an export covers, ordered by task then assignment."""
    qs = Assignment.objects.filter(
        task__project=project, status=Assignment.Status.SUBMITTED, submitted_at__lte=cutoff, judgment__isnull=False
    )
    if after is not None:
        qs = qs.filter(submitted_at__gt=after)
    if filters.get("submitted_from"):
        qs = qs.filter(submitted_at__date__gte=filters["submitted_from"])
    if filters.get("submitted_to"):
        qs = qs.filter(submitted_at__date__lte=filters["submitted_to"])
    if filters.get("languages"):
        qs = qs.filter(task__language__in=filters["languages"])
    if not filters.get("include_gold"):
        qs = qs.filter(task__gold_answer__isnull=True)  # gold tasks check annotators; they are not training data
    if filters.get("accepted_only"):
        qs = review.accepted(qs)
    return qs.order_by("task_id", "id")


# What every record reads of an assignment, its task and its judgment: plain values, no model instances.
COMMON = (
    "id",
    "task_id",
    "annotator_id",
    "submitted_at",
    "task__external_id",
    "task__prompt",
    "task__messages",
    "task__language",
    "judgment__id",
    "judgment__ranking",
    "judgment__strength",
    "judgment__all_unacceptable",
    "judgment__evidence_conflict",
)
# The record's other fields, each with the columns behind it: read only when the format uses the field
# (`needs`); a field not read keeps its default (empty). test_results is the last run's results in full
# (status, failed, each test; the counts are always read) and run_tests_code that run's file.
OPTIONAL: dict[str, tuple[str, ...]] = {
    "active_seconds": ("active_seconds",),
    "task_metadata": ("task__metadata",),
    "gold_answer": ("task__gold_answer",),
    "ratings": ("judgment__ratings",),
    "comments": ("judgment__comments",),
    "line_comments": ("judgment__line_comments",),
    "rationale": ("judgment__rationale",),
    "ideal_solution": ("judgment__ideal_solution",),
    "tests_code": ("judgment__tests_code",),
    "evidence_note": ("judgment__evidence_note",),
    "test_results": (),
    "run_tests_code": (),
}
EVERYTHING = frozenset(OPTIONAL)
FIELDS = (*COMMON, *(column for columns in OPTIONAL.values() for column in columns))  # every column read
JSON_COLUMNS = {
    "task__messages",
    "task__metadata",
    "task__gold_answer",
    "judgment__ranking",
    "judgment__ratings",
    "judgment__comments",
    "judgment__line_comments",
}
# The optional fields each format reads (the rest, and every format in consensus mode, read COMMON only).
FORMAT_NEEDS: dict[str, frozenset[str]] = {
    "ranking": frozenset({"ratings", "line_comments"}),
    "sft": frozenset({"ideal_solution"}),
    "raw": EVERYTHING - {"gold_answer", "run_tests_code"},
    "verifiable": frozenset({"test_results", "run_tests_code", "gold_answer"}),
}
PLAIN_FORMATS = {"dpo", "dpo-conversational", "openai-preference", "kto", "kto-conversational"}


def needs(fmt: str, *, mode: str = "judgment", metadata_keys: Collection[str] = ()) -> frozenset[str]:
    """The optional record fields an export of `fmt` in `mode` reads (every field for a format this does
    not know); task_metadata only when the project lets some import metadata out. A consensus reads none
    of a judgment's own texts."""
    if fmt not in PLAIN_FORMATS and fmt not in FORMAT_NEEDS:
        return EVERYTHING
    wanted = FORMAT_NEEDS.get(fmt, frozenset()) if mode == "judgment" else frozenset()
    return wanted | {"task_metadata"} if metadata_keys else wanted - {"task_metadata"}


def loads(text: str | None) -> Any:
    """What Django's JSONField gives for a column read as text: json.loads, or the text itself if it is
    not JSON. (orjson was measured here: no faster on the columns an export now decodes once they are
    per task, and it reads an integer past 64 bits as a float, so it would need a guard that cost more.)"""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


Row = tuple[Any, ...]
# Where the common columns are in every row (the optional ones follow them): _record reads them so.
ID, TASK, ANNOTATOR, SUBMITTED_AT, _, _, _, _, JUDGMENT, RANKING, STRENGTH, ALL_UNACCEPTABLE, EVIDENCE_CONFLICT = range(
    len(COMMON)
)


class _UtcIso(Func):
    """PostgreSQL: a timestamp as the text of its isoformat() in UTC but the offset and a zero fraction
    (utc_iso adds them): psycopg's timestamptz loader and isoformat() cost more than the rest of a row."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    output_field = CharField()


def utc_iso(text: str | None) -> str:
    """_UtcIso's text as datetime.isoformat() of the aware UTC datetime gives it ("" for none)."""
    if not text:
        return ""
    return (text[:-7] if text.endswith(".000000") else text) + "+00:00"


class _Layout:
    """Where each column is in a row of the main query, for the fields wanted."""

    def __init__(self, wanted: frozenset[str], *, text_times: bool = False) -> None:
        self.wanted = wanted
        self.text_times = text_times  # submitted_at read as _UtcIso's text
        self.pseudonyms: dict[int, str] = {}
        self.columns = (*COMMON, *(c for name, columns in OPTIONAL.items() if name in wanted for c in columns))
        self.at = {column: i for i, column in enumerate(self.columns)}
        self.plain = not (wanted - {"task_metadata"})  # only the common fields (task_metadata is the task's)

    def pseudonym(self, user_id: int) -> str:
        name = self.pseudonyms.get(user_id)
        if name is None:
            name = self.pseudonyms[user_id] = pseudonym(user_id)
        return name

    def select(self) -> list[str | Expression]:
        """The columns to select: JSON as text (decoded by `loads`), the rest as they are."""
        out: list[str | Expression] = [Cast(F(c), TextField()) if c in JSON_COLUMNS else c for c in self.columns]
        if self.text_times:
            out[SUBMITTED_AT] = _UtcIso(F("submitted_at"))
        return out


def records(
    queryset: QuerySet[Assignment], *, models: list[str] | None = None, fields: Collection[str] = EVERYTHING
) -> Iterator[JudgmentRecord]:
    """JudgmentRecords for the queryset in its order: one pass over its rows (a server-side cursor on
    PostgreSQL), each chunk's responses, last test results and reviews in a few more queries. `fields`:
    the optional record fields to read (OPTIONAL; `needs` says which a format uses), the others stay empty."""
    wanted = frozenset(fields)
    if unknown := wanted - EVERYTHING:
        raise ValueError(f"unknown record fields {sorted(unknown)}")
    db = connections[queryset.db]
    utc = settings.USE_TZ and db.timezone_name == "UTC"  # Django gives aware UTC datetimes
    layout = _Layout(wanted, text_times=db.vendor == "postgresql" and utc)
    chunk: list[Row] = []
    for values in queryset.values_list(*layout.select()).iterator(chunk_size=CHUNK):
        chunk.append(values)
        if len(chunk) == CHUNK:
            yield from _chunk(chunk, layout, models)
            chunk = []
    if chunk:
        yield from _chunk(chunk, layout, models)


def by_task(stream: Iterator[JudgmentRecord]) -> Iterator[list[JudgmentRecord]]:
    """Consecutive records of one task (the stream is ordered by task)."""
    for _, group in groupby(stream, key=lambda r: r.task_id):
        yield list(group)


class _Task:
    """What a task's judgments share, decoded once: its prompt, messages, metadata and candidates."""

    __slots__ = (
        "external_id",
        "id",
        "keep",
        "language",
        "messages",
        "metadata",
        "plain",
        "prompt",
        "rankings",
        "responses",
    )

    def __init__(self, row: Row, layout: _Layout, responses: list[tuple[str, str, str]], models: list[str] | None):
        at = layout.at
        self.id: int = row[TASK]
        self.external_id: str = row[at["task__external_id"]]
        self.language: str = row[at["task__language"]]
        self.messages: list[dict[str, str]] = loads(row[at["task__messages"]])
        self.prompt: str = thread_text(self.messages) if self.messages else row[at["task__prompt"]]
        self.metadata: dict[str, Any] = loads(row[at["task__metadata"]]) if "task__metadata" in at else {}
        self.responses = responses
        self.keep = {label for label, model, _ in responses if not models or model in models}
        # The candidates of a judgment that ran no tests: the same for every judgment of the task.
        self.plain = {
            label: Candidate(label=label, model=model, code=code)
            for label, model, code in responses
            if label in self.keep
        }
        self.rankings: dict[str, list[list[str]]] = {}

    def ranking(self, text: str) -> list[list[str]]:
        """A stored ranking (JSON text) restricted to the kept labels; judgments that rank the task alike
        share one list (records are read, never changed)."""
        ranking = self.rankings.get(text)
        if ranking is None:
            ranking = self.rankings[text] = rankings.restrict(loads(text), self.keep)
        return ranking


def _chunk(rows: list[Row], layout: _Layout, models: list[str] | None) -> Iterator[JudgmentRecord]:
    reset_queries()  # with DEBUG on, Django keeps every query's SQL: memory would grow with the export
    tasks = {row[TASK] for row in rows}
    assignments = {row[ID] for row in rows}
    responses: dict[int, list[tuple[str, str, str]]] = {}
    for task_id, label, model, code in (
        Response.objects.filter(**among("task_id", tasks))
        .order_by("task_id", "label")
        .values_list("task_id", "label", "model_name", "code")
    ):
        if task_id in tasks:
            responses.setdefault(task_id, []).append((label, model, code))
    wanted = layout.wanted
    results, files = _last_results(assignments, full="test_results" in wanted, files="run_tests_code" in wanted)
    reviews = _latest_reviews(assignments)
    task: _Task | None = None
    for row in rows:
        if task is None or row[TASK] != task.id:
            task = _Task(row, layout, responses.get(row[TASK], []), models)
        assignment_id = row[ID]
        record = _record(row, layout, task, results.get(assignment_id), reviews.get(assignment_id))
        record.run_tests_code = files.get(assignment_id, "")
        yield record


def among(column: str, ids: set[int]) -> dict[str, Any]:
    """A filter on `column` that selects at least `ids`: their range when they fill half of it or more (no
    list of ids to bind and parse; the caller leaves out what else is in the range, at most as many
    again), else the list."""
    low, high = min(ids), max(ids)
    if 2 * len(ids) >= high - low + 1:
        return {f"{column}__gte": low, f"{column}__lte": high}
    return {f"{column}__in": ids}


def _last_results(
    assignments: set[int], *, full: bool, files: bool
) -> tuple[dict[int, dict[str, dict[str, Any]]], dict[int, str]]:
    """Per assignment, its last run's finished results by response label (runs.last_results, as values:
    status, passed, failed, tests and trust; with `full` False, `tests` is only as long as the real list),
    and (with `files`) the test file that run ran."""
    last_run: dict[int, int] = {}
    for run_id, assignment_id in (
        TestRun.objects.filter(**among("assignment_id", assignments))
        .order_by("assignment_id", "created_at", "id")
        .values_list("id", "assignment_id")
    ):
        if assignment_id in assignments:
            last_run[assignment_id] = run_id
    if not last_run:
        return {}, {}
    owner = {run: assignment for assignment, run in last_run.items()}
    runs = set(owner)
    code = TestRun.objects.filter(**among("id", runs)).values_list("id", "test_case__code") if files else []
    run_files = {owner[run]: text for run, text in code if run in owner}
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for run_id, label, status, passed, failed, tests, trust in (
        TestResult.objects.filter(**among("test_run_id", runs), response__isnull=False)
        .exclude(status__in=TestResult.PENDING)
        .values_list(
            "test_run_id", "response__label", "status", "passed", "failed", Cast(F("tests"), TextField()), "trust"
        )
    ):
        if run_id not in owner:
            continue
        decoded = loads(tests)
        out.setdefault(owner[run_id], {})[label] = {
            "status": status,
            "passed": passed,
            "failed": failed,
            "tests": decoded if full or not isinstance(decoded, list) else [None] * len(decoded),
            "trust": trust,
        }
    return out, run_files


def _latest_reviews(assignments: set[int]) -> dict[int, tuple[str, int | None]]:
    """The last review's (verdict, score) of each assignment."""
    latest: dict[int, tuple[str, int | None]] = {}
    for assignment_id, verdict, score in (
        Review.objects.filter(**among("assignment_id", assignments))
        .order_by("assignment_id", "created_at", "id")
        .values_list("assignment_id", "verdict", "score")
    ):
        if assignment_id in assignments:
            latest[assignment_id] = (verdict, score)
    return latest


def _record(
    a: Row,
    layout: _Layout,
    task: _Task,
    results: dict[str, dict[str, Any]] | None,
    last_review: tuple[str, int | None] | None,
) -> JudgmentRecord:
    at, keep, wanted = layout.at, task.keep, layout.wanted
    if results:
        candidates = {
            label: Candidate(
                label=label,
                model=model,
                code=code,
                tests_passed=results[label]["passed"] if label in results else None,
                tests_total=len(results[label]["tests"]) if label in results else None,
                tests_trust=results[label]["trust"] if label in results else None,
            )
            for label, model, code in task.responses
            if label in keep
        }
    else:
        candidates = dict(task.plain)
    submitted_at = a[SUBMITTED_AT]
    if layout.text_times:
        submitted_at = utc_iso(submitted_at)
    elif submitted_at:
        submitted_at = submitted_at.isoformat()
    record = JudgmentRecord(
        judgment_id=a[JUDGMENT],
        task_id=task.external_id,
        prompt=task.prompt,
        language=task.language,
        candidates=candidates,
        ranking=task.ranking(a[RANKING]),
        strength=a[STRENGTH],
        ratings={},
        comments={},
        rationale="",
        all_unacceptable=a[ALL_UNACCEPTABLE],
        ideal_solution="",
        annotator=layout.pseudonym(a[ANNOTATOR]),
        submitted_at=submitted_at or "",
        active_seconds=0,
        evidence_conflict=a[EVIDENCE_CONFLICT],
        messages=task.messages,
        task_metadata=task.metadata,
        review_verdict=last_review[0] if last_review else None,
        review_score=last_review[1] if last_review else None,
    )
    if layout.plain:
        return record
    if "active_seconds" in wanted:
        record.active_seconds = a[at["active_seconds"]]
    if "ratings" in wanted:
        record.ratings = {k: v for k, v in (loads(a[at["judgment__ratings"]]) or {}).items() if k in keep}
    if "comments" in wanted:
        record.comments = {k: v for k, v in (loads(a[at["judgment__comments"]]) or {}).items() if k in keep}
    if "line_comments" in wanted:
        record.line_comments = [  # by label then line: the stored order follows the annotator's letters
            {key: c[key] for key in ("label", "start", "end", "category", "severity", "text")}
            for c in sorted(
                loads(a[at["judgment__line_comments"]]) or [], key=lambda c: (c["label"], c["start"], c["end"], c["id"])
            )
            if c["label"] in keep
        ]
    for name in ("rationale", "ideal_solution", "tests_code", "evidence_note"):
        if name in wanted:
            setattr(record, name, a[at[f"judgment__{name}"]])
    if "test_results" in wanted and results:
        record.test_results = [
            {
                "label": label,
                "status": r["status"],
                "passed": r["passed"],
                "failed": r["failed"],
                "tests": r["tests"],
                "trust": r["trust"],
            }
            for label, r in sorted(results.items())
        ]
    if "gold_answer" in wanted:
        record.gold_answer = loads(a[at["task__gold_answer"]])
    return record
