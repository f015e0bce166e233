"""Celery jobs of the annotation app. Jobs take ids, re-fetch, and call one service."""

from typing import Any

from django.db import connection

from annotation.celery import app
from tasks.models import Task


@app.task(ignore_result=False, acks_late=False)
def ping(project_slug: str) -> dict[str, Any]:
    """Prove a worker is alive and on the same database as the caller: count a project's tasks."""
    return {
        "database": connection.vendor,
        "tasks": Task.objects.filter(project__slug=project_slug).count(),
    }
