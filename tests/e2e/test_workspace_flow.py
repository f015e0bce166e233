"""The annotator's whole flow in a real browser on real components: Chromium (Debian's, driven by
Playwright), the live server, a Celery worker process and sandbox containers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotation.celery import app
from annotation.models import Assignment, Judgment
from tasks import services
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.conftest import task_line

SOLUTIONS = [
    "def add(a, b):\n    return a + b\n",
    "def add(a, b):\n    return a - b\n",
]
TESTS = (
    "from solution import add\n\n\ndef test_small():\n    assert add(2, 3) == 5\n\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
)
RATIONALE = "A adds correctly; B subtracts, so test_small fails for B while both pass the zero case."


@pytest.fixture
def annotator_with_tasks(transactional_db: None) -> User:
    user = User.objects.create_user("e2e-annotator", password="e2e-password-1")
    project = services.create_project(slug="e2e", name="E2E", ranking_mode=RankingMode.RANKING, min_rationale_chars=40)
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    lines = [
        json.dumps(
            task_line(
                f"e2e-{i}",
                prompt="Write `add(a, b)` returning the sum.",
                responses=[{"model": f"m{k}", "code": code} for k, code in enumerate(SOLUTIONS)],
            )
        )
        for i in range(2)
    ]
    import_tasks(project=project, lines=lines)
    return user


def start_working(page: Any, url: str, username: str, project: str) -> None:
    """Log in and open the first task of `project`."""
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "e2e-password-1")
    page.click("button[type=submit]")
    page.goto(f"{url}/projects/{project}/")
    page.click("text=Start working")
    page.wait_for_selector("#workspace")


def set_editor(page: Any, code: str) -> None:
    page.wait_for_selector(".CodeMirror")  # the editor starts from a deferred script
    page.evaluate("(code) => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", code)


def test_an_annotator_tests_ranks_explains_and_submits(
    browser_page, live_server, worker, backend, annotator_with_tasks
) -> None:
    worker(queue=app.conf.task_default_queue, env={"SANDBOX_POOL_SIZE": "0"})
    page = browser_page
    start_working(page, live_server.url, "e2e-annotator", "e2e")
    first_url = page.url
    assignment = Assignment.objects.get(annotator=annotator_with_tasks, status="active")
    # the stored labels are drawn at random at import: find the correct solution by its code
    stored = dict(assignment.task.responses.values_list("code", "label"))
    good_label, bad_label = stored[SOLUTIONS[0]], stored[SOLUTIONS[1]]
    good, bad = assignment.display_label(good_label), assignment.display_label(bad_label)

    set_editor(page, TESTS)
    page.click("#run-tests")
    page.wait_for_selector("#results:not([data-pending]) table.results", timeout=90_000)
    rows = {
        row.query_selector("th").inner_text(): row.inner_text()
        for row in page.query_selector_all("#results tbody tr:not(.output)")
    }
    assert "Passed" in rows[good] and "2 of 2 passed" in rows[good]
    assert "Failed" in rows[bad] and "1 of 2 passed" in rows[bad]

    page.select_option(f"select[name=rank-{good}]", "1")  # the form speaks the annotator's letters
    page.select_option(f"select[name=rank-{bad}]", "2")
    for select in page.query_selector_all("table.ratings select"):
        select.select_option("4")
    page.fill("#rationale", RATIONALE)
    page.locator("#save-state", has_text="Draft saved").wait_for()  # no wait_for_function: the CSP forbids eval

    page.reload()  # the draft comes back from the server
    assert page.input_value("#rationale") == RATIONALE
    assert page.input_value(f"select[name=rank-{good}]") == "1"
    page.wait_for_selector(".CodeMirror")
    assert "def test_small" in page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")

    page.click("#submit")
    page.wait_for_url(lambda url: url != first_url and "/work/" in url)
    assert "Submitted. Here is your next task." in page.content()
    judgment = Judgment.objects.get(assignment=assignment)
    assert judgment.submitted_at is not None and judgment.ranking == [[good_label], [bad_label]]
    assert judgment.evidence_conflict is False


def test_a_response_that_forges_its_tests_shows_what_really_happened(
    browser_page, live_server, worker, backend, transactional_db
) -> None:
    from tasks.demo_tasks import DEMO_TASKS
    from tasks.models import Response

    task = next(t for t in DEMO_TASKS if t["id"] == "demo-py-013")
    user = User.objects.create_user("e2e-forgery", password="e2e-password-1")
    project = services.create_project(slug="e2e-forgery", name="Forgery", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task)])
    worker(queue=app.conf.task_default_queue, env={"SANDBOX_POOL_SIZE": "0"})
    page = browser_page
    start_working(page, live_server.url, "e2e-forgery", "e2e-forgery")
    assignment = Assignment.objects.get(annotator=user, status="active")
    labels = {r.model_name: assignment.display_label(r.label) for r in Response.objects.filter(task=assignment.task)}

    set_editor(page, task["metadata"]["reference_tests"])
    page.click("#run-tests")
    page.wait_for_selector("#results:not([data-pending]) table.results", timeout=90_000)
    rows = {
        row.query_selector("th").inner_text(): row.inner_text()
        for row in page.query_selector_all("#results tbody tr:not(.output)")
    }
    assert "Passed" in rows[labels["model-c"]] and "10 of 10 passed" in rows[labels["model-c"]]
    forger = rows[labels["model-f"]]
    assert "Failed" in forger and "1 of 10 passed" in forger and "isolated" in forger  # test_range_end_is_excluded only
    page.locator("#results").screenshot(path="var/forgery-matrix.png")
