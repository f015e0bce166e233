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
from annotation.models import Assignment, Review, TestResult
from annotation.review import services as review
from annotation.work import runs
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


def records(queryset: QuerySet[Assignment], *, models: list[str] | None = None) -> Iterator[JudgmentRecord]:
    """JudgmentRecords for the queryset, fetched in chunks with their responses and last test run."""
    ids = queryset.values_list("id", flat=True)
    chunk: list[int] = []
    for assignment_id in ids.iterator(chunk_size=CHUNK):
        chunk.append(assignment_id)
        if len(chunk) == CHUNK:
            yield from _chunk(chunk, models)
            chunk = []
    if chunk:
        yield from _chunk(chunk, models)


def by_task(stream: Iterator[JudgmentRecord]) -> Iterator[list[JudgmentRecord]]:
    """Consecutive records of one task (the stream is ordered by task)."""
    for _, group in groupby(stream, key=lambda r: r.task_id):
        yield list(group)


def _chunk(ids: list[int], models: list[str] | None) -> Iterator[JudgmentRecord]:
    reset_queries()  # with DEBUG on, Django keeps every query's SQL: memory would grow with the export
    assignments = list(
        Assignment.objects.filter(id__in=ids).select_related("task", "judgment").order_by("task_id", "id")
    )
    task_ids = {a.task_id for a in assignments}
    responses: dict[int, list[Response]] = {}
    for response in Response.objects.filter(task_id__in=task_ids).order_by("task_id", "label"):
        responses.setdefault(response.task_id, []).append(response)
    results = runs.last_results(ids)
    reviews = review.latest_reviews(assignments)
    for a in assignments:
        yield _record(a, responses.get(a.task_id, []), results.get(a.id, {}), models, reviews.get(a.id))


def _record(
    a: Assignment,
    responses: list[Response],
    results: dict[str, TestResult],
    models: list[str] | None,
    last_review: Review | None,
) -> JudgmentRecord:
    j = a.judgment
    keep = {r.label for r in responses if not models or r.model_name in models}
    candidates = {
        r.label: Candidate(
            label=r.label,
            model=r.model_name,
            code=r.code,
            tests_passed=results[r.label].passed if r.label in results else None,
            tests_total=len(results[r.label].tests) if r.label in results else None,
            tests_trust=results[r.label].trust if r.label in results else None,
        )
        for r in responses
        if r.label in keep
    }
    ranking = rankings.restrict(j.ranking, keep)
    return JudgmentRecord(
        judgment_id=j.pk,
        task_id=a.task.external_id,
        prompt=thread_text(a.task.messages) if a.task.messages else a.task.prompt,
        language=a.task.language,
        candidates=candidates,
        ranking=[g for g in ranking if g],
        strength=j.strength,
        ratings={k: v for k, v in j.ratings.items() if k in keep},
        comments={k: v for k, v in j.comments.items() if k in keep},
        rationale=j.rationale,
        all_unacceptable=j.all_unacceptable,
        ideal_solution=j.ideal_solution,
        annotator=pseudonym(a.annotator_id),
        submitted_at=a.submitted_at.isoformat() if a.submitted_at else "",
        active_seconds=a.active_seconds,
        evidence_conflict=j.evidence_conflict,
        evidence_note=j.evidence_note,
        line_comments=[  # by label then line: the stored order follows the annotator's letters
            {key: c[key] for key in ("label", "start", "end", "category", "severity", "text")}
            for c in sorted(j.line_comments, key=lambda c: (c["label"], c["start"], c["end"], c["id"]))
            if c["label"] in keep
        ],
        tests_code=j.tests_code,
        test_results=[
            {
                "label": label,
                "status": r.status,
                "passed": r.passed,
                "failed": r.failed,
                "tests": r.tests,
                "trust": r.trust,
            }
            for label, r in sorted(results.items())
        ],
        messages=a.task.messages,
        task_metadata=a.task.metadata,
        review_verdict=last_review.verdict if last_review else None,
        review_score=last_review.score if last_review else None,
    )
