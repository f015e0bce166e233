"""The results matrix never shows a count that reads as passed for a run that did not finish."""

from __future__ import annotations

from django.test import Client

from annotation.models import Assignment
from annotation.work import queue, runs
from tasks.models import User
from tests.conftest import claimable_project

TESTS = "from solution import *\n\ndef test_a():\n    pass\n"


def _matrix_html(client: Client, user: User, status: str, passed: int, failed: int) -> str:
    project = claimable_project(annotators=[user])
    assignment = queue.claim_next_assignment(project=project, annotator=user)
    run = runs.run_tests(assignment=assignment, code=TESTS)
    for result in run.results.all():
        tests = [{"name": f"test_{i}", "outcome": "passed", "duration_ms": 1, "message": ""} for i in range(passed)]
        runs.record_test_result(
            test_result_id=result.pk,
            result={"status": status, "tests": tests, "passed": passed, "failed": failed, "message": "it stopped"},
        )
    client.force_login(user)
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.ACTIVE
    return client.get(f"/work/{assignment.pk}/results").content.decode()


def test_a_crashed_run_says_it_did_not_finish_not_three_of_three(client: Client, annotator: User) -> None:
    """A crashed test process showed "Error 3/3", which reads like 3 of 3 passed."""
    html = _matrix_html(client, annotator, "error", passed=3, failed=0)

    assert "did not finish" in html and "3/3" not in html and "3 of 3 passed" not in html


def test_a_finished_run_says_how_many_passed_in_words(client: Client, annotator: User) -> None:
    html = _matrix_html(client, annotator, "failed", passed=2, failed=1)

    assert "2 of 3 passed" in html and "did not finish" not in html
