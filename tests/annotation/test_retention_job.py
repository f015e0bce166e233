"""The hourly retention job (issue 11, finding 7): staged import uploads nobody confirmed, and the bulky
part of old test runs, are deleted after UPLOAD_RETENTION_HOURS and RUN_RETENTION_DAYS."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from annotation import jobs
from annotation.models import TestResult
from annotation.work import queue, runs
from sandbox.models import Execution
from tasks import services, staging
from tasks.models import RankingMode, User
from tests.conftest import claimable_project, jsonl, task_line

TESTS = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
VERDICT = {"status": "passed", "tests": [{"name": "test_add", "outcome": "passed"}], "passed": 1, "failed": 0}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def aged(path: Path, hours: float) -> Path:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def test_the_job_is_on_the_beat_schedule() -> None:
    entry: dict[str, Any] = django_settings.CELERY_BEAT_SCHEDULE["retention"]

    assert entry["task"] == "annotation.jobs.enforce_retention" and entry["schedule"] <= 3600


def test_staged_uploads_older_than_the_retention_are_deleted(settings: Any, db: None) -> None:
    """Catches staged uploads that were never deleted (a lead who checks a file and never confirms it)."""
    settings.UPLOAD_RETENTION_HOURS = 24
    old = aged(staging.staged_path(staging.stage([b"old\n"])), 25)
    fresh = aged(staging.staged_path(staging.stage([b"fresh\n"])), 23)

    done = jobs.enforce_retention()

    assert done["uploads"] == 1
    assert not old.exists() and fresh.exists()


def test_a_confirm_after_the_upload_was_deleted_asks_for_the_file_again(client: Client, lead: User) -> None:
    project = services.create_project(slug="late", name="Late", lead=lead, ranking_mode=RankingMode.RANKING)
    client.force_login(lead)
    upload = client.post(f"/projects/{project.slug}/import/", {"file": _file(jsonl(task_line("late")))})
    staged = upload.context["staged"]
    aged(staging.staged_path(staged), 48)
    jobs.enforce_retention()

    confirm = client.post(f"/projects/{project.slug}/import/confirm/", {"staged": staged}, follow=True)

    assert "upload the file again" in confirm.content.decode()
    assert not project.tasks.exists()


def test_a_new_upload_deletes_the_one_it_replaces(client: Client, lead: User) -> None:
    """Catches the replaced upload left on disk until the retention job."""
    project = services.create_project(slug="again", name="Again", lead=lead, ranking_mode=RankingMode.RANKING)
    client.force_login(lead)

    first = client.post(f"/projects/{project.slug}/import/", {"file": _file(jsonl(task_line("one")))})
    second = client.post(f"/projects/{project.slug}/import/", {"file": _file(jsonl(task_line("two")))})

    assert not staging.staged_path(first.context["staged"]).exists()
    assert staging.staged_path(second.context["staged"]).exists()


def test_old_runs_lose_their_output_and_sandbox_copies_but_keep_their_verdicts(settings: Any, annotator: User) -> None:
    """Catches test output kept for ever: stdout/stderr of every run, and the sandbox's Execution rows,
    each a copy of the code and the tests."""
    settings.RUN_RETENTION_DAYS = 30
    project = claimable_project(annotators=[annotator])
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    old_run = runs.run_tests(assignment=assignment, code=TESTS)
    for result in old_run.results.all():
        runs.record_test_result(test_result_id=result.pk, result={**VERDICT, "stdout": "x" * 5000, "stderr": "warn"})
    long_ago = timezone.now() - dt.timedelta(days=31)
    TestResult.objects.filter(test_run=old_run).update(finished_at=long_ago)  # time travel
    Execution.objects.update(state=Execution.State.DONE, finished_at=long_ago)
    new_run = runs.run_tests(assignment=assignment, code=TESTS)
    for result in new_run.results.all():
        runs.record_test_result(test_result_id=result.pk, result={**VERDICT, "stdout": "recent"})
    Execution.objects.filter(testresult__test_run=new_run).update(
        state=Execution.State.DONE, finished_at=timezone.now()
    )

    done = jobs.enforce_retention()

    assert done["outputs_cleared"] == 2 and done["executions_deleted"] == 2
    old = list(TestResult.objects.filter(test_run=old_run))
    assert [(r.stdout, r.stderr, r.status, r.passed, r.tests) for r in old] == [
        ("", "", "passed", 1, VERDICT["tests"])
    ] * 2
    assert all(r.execution_id is None for r in old)
    assert set(TestResult.objects.filter(test_run=new_run).values_list("stdout", flat=True)) == {"recent"}
    assert Execution.objects.count() == 2  # the new run's
    assert jobs.enforce_retention() == {"uploads": 0, "outputs_cleared": 0, "executions_deleted": 0}


def test_running_executions_are_never_deleted(settings: Any, annotator: User) -> None:
    project = claimable_project(annotators=[annotator])
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    runs.run_tests(assignment=assignment, code=TESTS)
    Execution.objects.update(state=Execution.State.RUNNING, created_at=timezone.now() - dt.timedelta(days=90))

    assert jobs.enforce_retention()["executions_deleted"] == 0
    assert Execution.objects.count() == 2


def _file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("tasks.jsonl", content, content_type="application/x-ndjson")
