"""What an annotator's every step costs the database, bound: a claim, the workspace page, a draft save,
the form's submit with the next claim, and the API's submit and draft, each within its budget and the
same whatever the number of tasks, responses, test runs and revisions.

Counted as the server runs them: outside a test transaction (`transaction=True`), so a savepoint is
counted where production takes one, and session and user reads are counted. Not counted: BEGIN and
COMMIT, which SQLite's immediate transactions log and PostgreSQL's do not (psycopg sends them
itself); the same budget then holds on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from annotation.models import Assignment
from annotation.work import runs
from tasks.models import Project
from tests.conftest import claimable_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

RATIONALE = "A handles the empty list and B does not, so A is better here."
FRAMING = ("BEGIN", "COMMIT", "ROLLBACK")

# The issue asked for 8 on the page; it runs 5 (6 with runs: their results), and the budget keeps that.
CLAIM, PAGE, DRAFT, FORM_SUBMIT, API_SUBMIT, API_DRAFT = 8, 6, 8, 15, 8, 8


@contextmanager
def budget(limit: int) -> Iterator[list[str]]:
    """Fail when the block runs more than `limit` statements (transaction framing aside); yields the
    statements counted, for comparing two setups."""
    counted: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        yield counted
    counted.extend(q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(FRAMING))
    listing = "\n".join(f"  {n}. {sql[:160]}" for n, sql in enumerate(counted, 1))
    assert len(counted) <= limit, f"{len(counted)} queries, budget {limit}:\n{listing}"


def form(assignment: Assignment) -> dict[str, str]:
    """A complete workspace form: every response ranked (A first) and rated, a rationale."""
    data = {"rationale": RATIONALE}
    for label in assignment.response_order:
        letter = assignment.display_label(label)
        data[f"rank-{letter}"] = str(ord(letter) - ord("A") + 1)
        for dimension in assignment.task.project.rubric:
            data[f"rating-{letter}-{dimension['key']}"] = "4"
    return data


def api_judgment(assignment: Assignment) -> dict[str, Any]:
    letters = [assignment.display_label(label) for label in assignment.response_order]
    rubric = [d["key"] for d in assignment.task.project.rubric]
    return {
        "ranking": [[letter] for letter in sorted(letters)],
        "ratings": {letter: dict.fromkeys(rubric, 4) for letter in letters},
        "rationale": RATIONALE,
    }


def setup(tag: str, *, tasks: int, responses: int) -> tuple[Client, Client, Project, Any]:
    """A project with `tasks` tasks, an annotator signed in to the page (a real session) and to the API."""
    user = make_user(f"budget-{tag}")
    project = claimable_project(annotators=[user], tasks=tasks, responses=responses, min_tests=0, overlap=2)
    page = Client()
    assert page.login(username=user.username, password=f"{user.username}-pw")
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return page, api, project, user


def start(page: Client, project: Project) -> int:
    """Start working (the claim); the id of the assignment it opened."""
    answer = page.post(f"/projects/{project.slug}/start")
    assert answer.status_code == 302 and answer["Location"].startswith("/work/"), answer
    return int(answer["Location"].split("/")[2])


def claim(page: Client, project: Project) -> Assignment:
    return Assignment.objects.select_related("task__project").get(pk=start(page, project))


def add_runs(assignment: Assignment, count: int) -> None:
    """Finished runs of the annotator's tests, six tests each, as the sandbox reports them."""
    for i in range(count):
        run = runs.run_tests(assignment=assignment, code=f"def test_{i}():\n    pass\n")
        tests = [{"name": f"t{k}", "outcome": "passed", "duration_ms": 1, "message": ""} for k in range(6)]
        for result in run.results.all():
            runs.record_test_result(test_result_id=result.pk, result={"status": "passed", "tests": tests, "passed": 6})


def test_a_new_claim_and_the_page_stay_within_budget() -> None:
    page, _api, project, _user = setup("claim", tasks=5, responses=3)

    with budget(CLAIM):
        assignment_id = start(page, project)
    assignment = Assignment.objects.get(pk=assignment_id)
    with budget(PAGE):
        assert page.get(f"/work/{assignment.pk}/").status_code == 200


def test_a_draft_save_stays_within_budget_first_and_later() -> None:
    page, _api, project, _user = setup("draft", tasks=3, responses=3)
    assignment = claim(page, project)
    data = form(assignment)

    with budget(DRAFT):  # the first save creates the judgment
        assert page.post(f"/work/{assignment.pk}/draft", data).status_code == 200
    with budget(DRAFT):
        assert page.post(f"/work/{assignment.pk}/draft", {**data, "rationale": RATIONALE + " More."}).json()["saved"]


def test_the_form_submit_with_the_next_claim_stays_within_budget() -> None:
    page, _api, project, _user = setup("submit", tasks=4, responses=3)
    assignment = claim(page, project)
    page.post(f"/work/{assignment.pk}/draft", form(assignment))  # the page autosaves as the annotator works

    with budget(FORM_SUBMIT):
        answer = page.post(f"/work/{assignment.pk}/submit", form(assignment))

    assert answer.status_code == 302 and answer["Location"] != f"/work/{assignment.pk}/"  # the next task
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED


def test_the_api_draft_and_submit_stay_within_budget() -> None:
    _page, api, project, _user = setup("api", tasks=3, responses=3)
    answer = api.post(f"/api/v1/projects/{project.slug}/assignments/next")
    assignment = Assignment.objects.select_related("task__project").get(pk=answer.json()["id"])
    body = api_judgment(assignment)

    with budget(API_DRAFT):
        saved = api.put(f"/api/v1/assignments/{assignment.pk}/draft", body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    with budget(API_SUBMIT):
        done = api.post(f"/api/v1/assignments/{assignment.pk}/submit", body, content_type="application/json")

    assert done.status_code == 200 and done.json()["status"] == "submitted", done.content


def measure(tag: str, *, tasks: int, responses: int, run_count: int, drafts: int) -> dict[str, int]:
    """Queries of each step for one setup: `drafts` saves before the measured one (the revisions)."""
    page, api, project, _user = setup(tag, tasks=tasks, responses=responses)
    counts: dict[str, int] = {}

    def count(step: str, action: Callable[[], Any]) -> None:
        with budget(100) as counted:
            action()
        counts[step] = len(counted)

    opened: list[int] = []
    count("claim", lambda: opened.append(start(page, project)))
    assignment = Assignment.objects.select_related("task__project").get(pk=opened[0])
    add_runs(assignment, run_count)
    data = form(assignment)
    for n in range(drafts):
        page.post(f"/work/{assignment.pk}/draft", {**data, "rationale": f"{RATIONALE} ({n})"})
    count("page", lambda: page.get(f"/work/{assignment.pk}/"))
    count("draft", lambda: page.post(f"/work/{assignment.pk}/draft", data))
    count("submit", lambda: page.post(f"/work/{assignment.pk}/submit", data))
    nxt = Assignment.objects.select_related("task__project").get(annotator=assignment.annotator, status="active")
    body = api_judgment(nxt)
    count("api draft", lambda: api.put(f"/api/v1/assignments/{nxt.pk}/draft", body, content_type="application/json"))
    count("api submit", lambda: api.post(f"/api/v1/assignments/{nxt.pk}/submit", body, content_type="application/json"))
    assert Assignment.objects.get(pk=nxt.pk).status == Assignment.Status.SUBMITTED
    return counts


def test_no_step_costs_more_with_more_tasks_responses_runs_or_revisions() -> None:
    """Catches a query per response, per run, per revision or per task: a large setup (200 tasks,
    8 responses, 4 runs, more drafts than a judgment keeps) costs what a small one does."""
    small = measure("small", tasks=3, responses=2, run_count=1, drafts=1)
    large = measure("large", tasks=200, responses=8, run_count=4, drafts=settings.JUDGMENT_MAX_REVISIONS + 5)

    assert small["page"] == large["page"] and small["claim"] == large["claim"], (small, large)
    assert small["api draft"] == large["api draft"] and small["api submit"] == large["api submit"], (small, large)
    # past the cap, a save drops the oldest draft: a read and a delete more, and no more than that
    assert large["draft"] <= small["draft"] + 2 and large["submit"] <= small["submit"] + 2, (small, large)
    assert large["draft"] <= DRAFT and large["submit"] <= FORM_SUBMIT and large["page"] <= PAGE, large


def test_a_project_with_webhooks_still_reads_them_on_submit() -> None:
    """The budget's shortcut (no endpoint read when the project has none) must not lose an event."""
    from annotation.models import WebhookDelivery, WebhookEndpoint

    page, _api, project, _user = setup("hooks", tasks=2, responses=2)
    WebhookEndpoint.objects.create(
        project=project, url="https://hooks.example.com/x", events=["judgment.submitted"], secret="s" * 32
    )
    assignment = claim(page, project)
    assert page.post(f"/work/{assignment.pk}/submit", form(assignment)).status_code == 302

    assert WebhookDelivery.objects.filter(event="judgment.submitted").count() == 1
