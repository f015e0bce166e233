"""A real Celery worker process takes a job from the configured broker and runs it on the same database."""

from __future__ import annotations

from django.db import connection

from annotation import jobs
from tasks.importing import import_tasks
from tasks.models import Project
from tests.conftest import jsonl, task_line


def test_a_worker_process_runs_an_enqueued_job_against_the_same_database(worker, project: Project) -> None:
    queue = worker()
    import_tasks(project=project, lines=jsonl(task_line("a"), task_line("b"), task_line("c")).split(b"\n"))

    result = jobs.ping.apply_async(args=(project.slug,), queue=queue)

    assert result.get(timeout=90) == {"database": connection.vendor, "tasks": 3}
