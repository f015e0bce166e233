"""A real Celery worker process takes a job from the configured broker and runs it on the same database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from annotation import broker, jobs
from tasks.importing import import_tasks
from tasks.models import Project
from tests.conftest import jsonl, task_line


def database_url_of_this_test() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue(transactional_db: None) -> object:
    """Start `celery worker` on a queue of its own (so no other worker steals the job); stop it after."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    broker.ensure_folders()
    env = {**os.environ, "DATABASE_URL": database_url_of_this_test()}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "annotation",
        "worker",
        "-Q",
        queue,
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    proc = subprocess.Popen(command, env=env, cwd=Path(settings.BASE_DIR))
    yield queue
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_a_worker_process_runs_an_enqueued_job_against_the_same_database(worker_queue: str, project: Project) -> None:
    import_tasks(project=project, lines=jsonl(task_line("a"), task_line("b"), task_line("c")).split(b"\n"))

    result = jobs.ping.apply_async(args=(project.slug,), queue=worker_queue)

    assert result.get(timeout=90) == {"database": connection.vendor, "tasks": 3}
