"""Read submitted judgments as JudgmentRecords, in a stable order, a chunk at a time (memory stays flat)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from django.db import reset_queries
from django.db.models import QuerySet

from annotation import rankings
from annotation.access import pseudonym
from annotation.models import Assignment, Review, TestResult, TestRun
from annotation.review import services as review
from exporters.records import Candidate, JudgmentRecord
from tasks.models import Project, Response, thread_text

CHUNK = 2000


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


# What a record reads of an assignment, its task and its judgment: plain values, no model instances.
FIELDS = (
    "id",
    "task_id",
    "annotator_id",
    "submitted_at",
    "active_seconds",
    "task__external_id",
    "task__prompt",
    "task__messages",
    "task__language",
    "task__metadata",
    "task__gold_answer",
    "judgment__id",
    "judgment__ranking",
    "judgment__strength",
    "judgment__ratings",
    "judgment__comments",
    "judgment__line_comments",
    "judgment__rationale",
    "judgment__all_unacceptable",
    "judgment__ideal_solution",
    "judgment__tests_code",
    "judgment__evidence_conflict",
    "judgment__evidence_note",
)
Row = dict[str, Any]


def records(queryset: QuerySet[Assignment], *, models: list[str] | None = None) -> Iterator[JudgmentRecord]:
    """JudgmentRecords for the queryset in its order: one pass over its rows (a server-side cursor on
    PostgreSQL), each chunk's responses, last test results and reviews in three more queries."""
    chunk: list[Row] = []
    for values in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK):
        chunk.append(dict(zip(FIELDS, values, strict=True)))
        if len(chunk) == CHUNK:
            yield from _chunk(chunk, models)
            chunk = []
    if chunk:
        yield from _chunk(chunk, models)


def by_task(stream: Iterator[JudgmentRecord]) -> Iterator[list[JudgmentRecord]]:
    """Consecutive records of one task (the stream is ordered by task)."""
    for _, group in groupby(stream, key=lambda r: r.task_id):
        yield list(group)


def _chunk(rows: list[Row], models: list[str] | None) -> Iterator[JudgmentRecord]:
    reset_queries()  # with DEBUG on, Django keeps every query's SQL: memory would grow with the export
    ids = [row["id"] for row in rows]
    responses: dict[int, list[tuple[str, str, str]]] = {}
    for task_id, label, model, code in (
        Response.objects.filter(task_id__in={row["task_id"] for row in rows})
        .order_by("task_id", "label")
        .values_list("task_id", "label", "model_name", "code")
    ):
        responses.setdefault(task_id, []).append((label, model, code))
    results, files = _last_results(ids)
    reviews = _latest_reviews(ids)
    for row in rows:
        record = _record(
            row, responses.get(row["task_id"], []), results.get(row["id"], {}), models, reviews.get(row["id"])
        )
        record.run_tests_code = files.get(row["id"], "")
        yield record


def _last_results(assignment_ids: list[int]) -> tuple[dict[int, dict[str, Row]], dict[int, str]]:
    """Per assignment, its last run's finished results by response label (runs.last_results, as values),
    and the test file that run ran."""
    last_run: dict[int, int] = {}
    for run_id, assignment_id in (
        TestRun.objects.filter(assignment_id__in=assignment_ids)
        .order_by("assignment_id", "created_at", "id")
        .values_list("id", "assignment_id")
    ):
        last_run[assignment_id] = run_id
    if not last_run:
        return {}, {}
    owner = {run: assignment for assignment, run in last_run.items()}
    files = {
        owner[run]: code for run, code in TestRun.objects.filter(id__in=owner).values_list("id", "test_case__code")
    }
    out: dict[int, dict[str, Row]] = {}
    for values in (
        TestResult.objects.filter(test_run_id__in=owner, response__isnull=False)
        .exclude(status__in=TestResult.PENDING)
        .values("test_run_id", "response__label", "status", "passed", "failed", "tests", "trust")
    ):
        out.setdefault(owner[values["test_run_id"]], {})[values["response__label"]] = dict(values)
    return out, files


def _latest_reviews(assignment_ids: list[int]) -> dict[int, tuple[str, int | None]]:
    """The last review's (verdict, score) of each assignment."""
    latest: dict[int, tuple[str, int | None]] = {}
    for assignment_id, verdict, score in (
        Review.objects.filter(assignment_id__in=assignment_ids)
        .order_by("assignment_id", "created_at", "id")
        .values_list("assignment_id", "verdict", "score")
    ):
        latest[assignment_id] = (verdict, score)
    return latest


def _record(
    a: Row,
    responses: list[tuple[str, str, str]],
    results: dict[str, Row],
    models: list[str] | None,
    last_review: tuple[str, int | None] | None,
) -> JudgmentRecord:
    keep = {label for label, model, _ in responses if not models or model in models}
    candidates = {
        label: Candidate(
            label=label,
            model=model,
            code=code,
            tests_passed=results[label]["passed"] if label in results else None,
            tests_total=len(results[label]["tests"]) if label in results else None,
            tests_trust=results[label]["trust"] if label in results else None,
        )
        for label, model, code in responses
        if label in keep
    }
    ranking = rankings.restrict(a["judgment__ranking"], keep)
    messages = a["task__messages"]
    return JudgmentRecord(
        judgment_id=a["judgment__id"],
        task_id=a["task__external_id"],
        prompt=thread_text(messages) if messages else a["task__prompt"],
        language=a["task__language"],
        candidates=candidates,
        ranking=[g for g in ranking if g],
        strength=a["judgment__strength"],
        ratings={k: v for k, v in a["judgment__ratings"].items() if k in keep},
        comments={k: v for k, v in a["judgment__comments"].items() if k in keep},
        rationale=a["judgment__rationale"],
        all_unacceptable=a["judgment__all_unacceptable"],
        ideal_solution=a["judgment__ideal_solution"],
        annotator=pseudonym(a["annotator_id"]),
        submitted_at=a["submitted_at"].isoformat() if a["submitted_at"] else "",
        active_seconds=a["active_seconds"],
        evidence_conflict=a["judgment__evidence_conflict"],
        evidence_note=a["judgment__evidence_note"],
        line_comments=[  # by label then line: the stored order follows the annotator's letters
            {key: c[key] for key in ("label", "start", "end", "category", "severity", "text")}
            for c in sorted(a["judgment__line_comments"], key=lambda c: (c["label"], c["start"], c["end"], c["id"]))
            if c["label"] in keep
        ],
        tests_code=a["judgment__tests_code"],
        test_results=[
            {
                "label": label,
                "status": r["status"],
                "passed": r["passed"],
                "failed": r["failed"],
                "tests": r["tests"],
                "trust": r["trust"],
            }
            for label, r in sorted(results.items())
        ],
        messages=messages,
        task_metadata=a["task__metadata"],
        gold_answer=a["task__gold_answer"],
        review_verdict=last_review[0] if last_review else None,
        review_score=last_review[1] if last_review else None,
    )
