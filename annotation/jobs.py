"""Celery jobs of the annotation app. Jobs take ids, re-fetch, and call one service."""

from typing import Any

from celery import shared_task
from django.db import connection

from annotation.work import queue, runs
from tasks.models import Task


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
