"""Celery jobs of the annotation app. Jobs take ids, re-fetch, and call one service."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from annotation.models import TestResult
from annotation.work import queue, runs
from sandbox.models import Execution
from tasks import staging
from tasks.models import Task

_PRUNE_BATCH = 500  # rows per statement: a short write lock each on SQLite


@shared_task(ignore_result=False, acks_late=False)
def ping(project_slug: str) -> dict[str, Any]:
    """Prove a worker is alive and on the same database as the caller: count a project's tasks."""
    return {
        "database": connection.vendor,
        "tasks": Task.objects.filter(project__slug=project_slug).count(),
    }


@shared_task(acks_late=True, ignore_result=True)
def record_test_result(result: dict[str, Any], test_result_id: int) -> None:
    """Sandbox callback: store a response's verdict (idempotent)."""
    runs.record_test_result(test_result_id=test_result_id, result=result)


@shared_task(ignore_result=True)
def expire_assignments() -> int:
    """Periodic: give the tasks of expired leases back to the pool."""
    return queue.expire_assignments()


@shared_task(ignore_result=True)
def enforce_retention() -> dict[str, int]:
    """Periodic (hourly): delete staged import uploads nobody confirmed within UPLOAD_RETENTION_HOURS, and
    the bulky part of test runs finished over RUN_RETENTION_DAYS ago; returns what it deleted."""
    uploads = staging.delete_stale_uploads(older_than=dt.timedelta(hours=settings.UPLOAD_RETENTION_HOURS))
    runs_before = timezone.now() - dt.timedelta(days=settings.RUN_RETENTION_DAYS)
    return {"uploads": uploads, **prune_run_output(before=runs_before)}


def prune_run_output(*, before: dt.datetime) -> dict[str, int]:
    """Clear the stdout and stderr of test results finished before `before` and delete the sandbox's
    executions finished by then (each a copy of the code, the tests and the whole result). What the
    judgment, the review and the exports use stays: status, each test's outcome and message, counts."""
    noisy = TestResult.objects.filter(finished_at__lt=before).exclude(stdout="", stderr="")
    cleared = _in_batches(noisy, lambda rows: rows.update(stdout="", stderr=""))
    finished = Execution.objects.filter(state__in=[Execution.State.DONE, Execution.State.LOST], finished_at__lt=before)
    deleted = _in_batches(finished, lambda rows: rows.delete()[1].get(Execution._meta.label, 0))
    return {"outputs_cleared": cleared, "executions_deleted": deleted}


def _in_batches(rows: QuerySet[Any], act: Callable[[QuerySet[Any]], int]) -> int:
    """Apply `act` to the rows _PRUNE_BATCH at a time, one short statement each (no long lock on SQLite);
    `act` must take its rows out of `rows`, as clearing or deleting them does."""
    done = 0
    while ids := list(rows.values_list("pk", flat=True)[:_PRUNE_BATCH]):
        done += act(rows.model._default_manager.filter(pk__in=ids))
    return done
