"""The annotator's tests run against every response through the sandbox and a real worker."""

from __future__ import annotations

import json
import time

import pytest

from annotation.celery import app
from annotation.models import Assignment, TestResult
from annotation.work import queue, runs
from tasks import services
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.conftest import make_user, task_line

GOOD = "def add(a, b):\n    return a + b\n"
BAD = "def add(a, b):\n    return a - b\n"
TESTS = (
    "from solution import add\n\ndef test_small():\n    assert add(2, 2) == 4\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
)


def assignment_with(user: User, codes: list[str]) -> Assignment:
    """A task whose responses by models model-0, model-1, ... are `codes`, imported as any task is (so
    under labels drawn at random), and claimed by `user`."""
    project = services.create_project(slug=f"run-{user.username}", name="Runs", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    responses = [{"model": f"model-{i}", "code": code} for i, code in enumerate(codes)]
    import_tasks(project=project, lines=[json.dumps(task_line("t0", responses=responses))])
    return queue.claim_next_assignment(project=project, annotator=user)


def test_a_run_through_a_worker_fills_the_matrix(worker, backend) -> None:
    worker(queue=app.conf.task_default_queue, env={"SANDBOX_POOL_SIZE": "0"})
    assignment = assignment_with(make_user("runner"), [GOOD, BAD])

    run = runs.run_tests(assignment=assignment, code=TESTS)

    deadline = time.monotonic() + 120
    while run.results.filter(status__in=TestResult.PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    results = {r.response.model_name: r for r in run.results.select_related("response") if r.response}
    assert (results["model-0"].status, results["model-0"].passed) == ("passed", 2)
    assert (results["model-1"].status, results["model-1"].failed) == ("failed", 1)
    assert [(t["name"], t["outcome"]) for t in results["model-1"].tests] == [
        ("test_small", "failed"),
        ("test_zero", "passed"),
    ]
    assert results["model-0"].image_id.startswith("sha256:")


@pytest.mark.django_db
def test_a_second_run_waits_for_the_first() -> None:
    assignment = assignment_with(make_user("eager"), [GOOD, BAD])
    runs.run_tests(assignment=assignment, code=TESTS)

    with pytest.raises(runs.CannotRun, match="still going"):
        runs.run_tests(assignment=assignment, code=TESTS)


@pytest.mark.django_db
def test_an_empty_test_file_is_refused() -> None:
    assignment = assignment_with(make_user("blank"), [GOOD, BAD])

    with pytest.raises(runs.CannotRun, match="write at least one test"):
        runs.run_tests(assignment=assignment, code="   \n")


@pytest.mark.django_db
def test_the_ideal_solution_is_run_too_and_results_are_stored_once() -> None:
    assignment = assignment_with(make_user("ideal"), [GOOD, BAD])
    run = runs.run_tests(assignment=assignment, code=TESTS, ideal_solution=GOOD)
    ideal = run.results.get(is_ideal=True)
    verdict = {"status": "passed", "tests": [{"name": "test_small", "outcome": "passed"}], "passed": 1, "failed": 0}

    assert run.results.count() == 3
    assert runs.record_test_result(test_result_id=ideal.pk, result=verdict) is True
    assert runs.record_test_result(test_result_id=ideal.pk, result={**verdict, "status": "failed"}) is False
    ideal.refresh_from_db()
    assert ideal.status == "passed"
