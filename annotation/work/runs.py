"""The annotator's tests: each "Run tests" runs their test file against every response in the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from annotation.models import Assignment, Judgment, TestCase, TestResult, TestRun
from sandbox import services as sandbox_services
from tasks.compiled import Compiled
from tasks.models import Response
from tasks.text import lf

MAX_TEST_BYTES = 64 * 1024


class CannotRun(Exception):
    """The run was refused; the message says why."""


@transaction.atomic
def run_tests(*, assignment: Assignment, code: str, ideal_solution: str = "") -> TestRun:
    """Snapshot the test file and run it against every response (and the ideal solution, if given)."""
    from annotation import jobs  # jobs import this module

    code, ideal_solution = lf(code), lf(ideal_solution)  # as the judgment stores its texts (a form posts CRLF)
    # The assignment's row lock makes "no run pending, so start one" a single step: of parallel
    # clicks, the first starts a run and the others see it pending once they get the lock.
    status = Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("status", flat=True).first()
    if status != Assignment.Status.ACTIVE:
        raise CannotRun("this task is no longer yours to work on")
    if refused := assignment.task.project.archived_message:
        raise CannotRun(refused)
    if not code.strip():
        raise CannotRun("write at least one test first")
    if len(code.encode()) > MAX_TEST_BYTES:
        raise CannotRun(f"the test file is over {MAX_TEST_BYTES // 1024} KB")
    if TestResult.objects.filter(test_run__assignment=assignment, status__in=TestResult.PENDING).exists():
        raise CannotRun("your previous run is still going: wait for it to finish")
    Judgment.objects.update_or_create(assignment=assignment, defaults={"tests_code": code})
    run = TestRun.objects.create(
        assignment=assignment, test_case=TestCase.objects.create(assignment=assignment, code=code)
    )
    # What runs is each answer's program: a conversation's prose answer runs its fenced code (Task.program_of).
    targets: list[tuple[Response | None, str]] = [(r, r.program()) for r in assignment.task.responses.all()]
    if ideal_solution.strip():
        targets.append((None, assignment.task.program_of(ideal_solution)))
    for response, solution in targets:
        result = TestResult.objects.create(test_run=run, response=response, is_ideal=response is None)
        callback = jobs.record_test_result.s(result.pk)
        execution = sandbox_services.submit_suite(
            language=assignment.task.language, solution=solution, tests=code, callback=dict(callback)
        )
        TestResult.objects.filter(pk=result.pk).update(execution=execution)
    return run


def record_test_result(*, test_result_id: int, result: dict[str, object]) -> bool:
    """Store the sandbox's verdict for one response (once: a callback delivered twice changes nothing)."""
    tests = result.get("tests") or []
    updated = TestResult.objects.filter(pk=test_result_id, status__in=TestResult.PENDING).update(
        status=str(result["status"]),
        tests=tests,
        passed=int(result.get("passed") or 0),  # type: ignore[call-overload]
        failed=int(result.get("failed") or 0),  # type: ignore[call-overload]
        stdout=str(result.get("stdout") or ""),
        stderr=str(result.get("stderr") or ""),
        message=str(result.get("message") or ""),
        truncated=bool(result.get("truncated")),
        duration_ms=int(result.get("duration_ms") or 0),  # type: ignore[call-overload]
        image_id=str(result.get("image_id") or ""),
        trust=str(result.get("trust") or "in-process"),
        finished_at=timezone.now(),
    )
    return bool(updated)


def latest_run(assignment: Assignment) -> TestRun | None:
    return assignment.test_runs.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class Finished:
    """One response's finished result in a run: what a submission is checked against."""

    label: str
    passed: int
    tests: list[dict[str, Any]]


def _latest_results(assignment: int) -> QuerySet[TestResult, tuple[str, int, Any]]:
    latest = TestRun.objects.filter(assignment_id=assignment).order_by("-created_at", "-id").values("id")[:1]
    return (
        TestResult.objects.filter(test_run_id=Subquery(latest), response__isnull=False)
        .exclude(status__in=TestResult.PENDING)
        .values_list("response__label", "passed", "tests")
    )


# Read by every submit, compiled once per connection (tasks/compiled.py).
_LATEST_RESULTS: Compiled[tuple[str, int, Any]] = Compiled(_latest_results, assignment=int)


def latest_results(assignment: Assignment) -> list[Finished]:
    """The finished results of the assignment's latest run against the responses (not the ideal
    solution), in one query; empty before the first run or while it is all pending."""
    rows = _LATEST_RESULTS.all(assignment=assignment.pk)
    return [Finished(label, passed, tests or []) for label, passed, tests in rows]


def last_results(assignment_ids: list[int]) -> dict[int, dict[str, TestResult]]:
    """For each assignment, its last run's finished results per response label (two queries in all)."""
    last_run: dict[int, int] = {}
    for run_id, assignment_id in (
        TestRun.objects.filter(assignment_id__in=assignment_ids)
        .order_by("assignment_id", "created_at", "id")
        .values_list("id", "assignment_id")
    ):
        last_run[assignment_id] = run_id
    out: dict[int, dict[str, TestResult]] = {}
    rows = (
        TestResult.objects.filter(test_run_id__in=last_run.values(), response__isnull=False)
        .exclude(status__in=TestResult.PENDING)
        .select_related("response", "test_run")
    )
    for result in rows:
        assert result.response is not None
        out.setdefault(result.test_run.assignment_id, {})[result.response.label] = result
    return out
