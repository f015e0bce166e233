"""The workspace over HTTP: blind, private, escaped, restorable, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotation.models import ActivityInterval, Assignment, HeartbeatTab
from annotation.work import queue, runs
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tasks.templatetags.lookup import duration
from tests.conftest import claimable_project, heartbeats, make_user, submit_judgment, task_line

EVIL = "<script>alert('x')</script>"


@pytest.fixture
def ann(annotator: User) -> User:
    return annotator


def open_workspace(client: Client, user: User, project: Project) -> Assignment:
    client.force_login(user)
    answer = client.post(f"/projects/{project.slug}/start")
    assert answer.status_code == 302 and answer["Location"].startswith("/work/")
    return Assignment.objects.get(annotator=user, status=Assignment.Status.ACTIVE)


def test_start_working_opens_a_blind_workspace(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[ann], responses=3)
    assignment = open_workspace(client, ann, project)

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert "Response A" in html and "Response C" in html
    assert "model-0" not in html and "model-1" not in html  # model names stay hidden
    assert "from solution import" in html  # the test template of the task's language


def test_nobody_opens_another_annotators_work(client: Client, ann: User, annotator2: User) -> None:
    other = annotator2
    project = claimable_project(annotators=[ann, other])
    assignment = open_workspace(client, ann, project)
    client.force_login(other)

    paths = ["/", "/results", "/diff?a=A&b=B"]
    assert [client.get(f"/work/{assignment.pk}{p}").status_code for p in paths] == [404, 404, 404]
    posts = ["/draft", "/run", "/submit", "/skip"]
    assert [client.post(f"/work/{assignment.pk}{p}", {"rationale": "x"}).status_code for p in posts] == [404] * 4


def test_an_outsider_cannot_start_working(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[])
    client.force_login(ann)

    assert client.post(f"/projects/{project.slug}/start").status_code == 404


def test_prompt_code_and_rationale_render_as_text(client: Client, ann: User) -> None:
    project = services.create_project(slug="evil", name="Evil", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=ann, role=Role.ANNOTATOR)
    line = task_line(
        "e1", prompt=f"Do it {EVIL}", responses=[{"model": "m", "code": f"x = '{EVIL}'"}, {"model": "n", "code": "y"}]
    )
    import_tasks(project=project, lines=[json.dumps(line)])
    assignment = open_workspace(client, ann, project)
    client.post(f"/work/{assignment.pk}/draft", {"rationale": EVIL, f"comment-{assignment.response_order[0]}": EVIL})

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(") >= 3  # code, rationale, comment (the prompt's tag is stripped)


def test_a_draft_survives_a_reload(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[ann])
    assignment = open_workspace(client, ann, project)
    first, second = assignment.response_order

    saved = client.post(
        f"/work/{assignment.pk}/draft",
        {
            f"rank-{second}": "1",
            f"rank-{first}": "2",
            f"rating-{first}-correctness": "2",
            "rationale": "half-way there",
            "tests_code": "def test_it():\n    pass\n",
        },
    )
    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert saved.json()["saved"] is True
    assert "half-way there" in html and "def test_it():" in html
    assert f'name="rank-{second}"' in html and '<option value="1" selected>1</option>' in html


def test_submit_shows_what_is_missing_and_keeps_the_draft(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[ann])
    assignment = open_workspace(client, ann, project)

    answer = client.post(f"/work/{assignment.pk}/submit", {"rationale": "short"})

    html = answer.content.decode()
    assert answer.status_code == 400
    assert "rank every response (ties are allowed)" in html and "write at least 20 characters (you have 5)" in html
    assignment.refresh_from_db()
    assert assignment.status == "active" and assignment.judgment.rationale == "short"


def test_the_heartbeat_credits_time_and_reports_totals(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[ann])
    assignment = open_workspace(client, ann, project)

    """Catches a repeated beat (same tab, same seq) credited again, and beats never credited."""

    def twenty_seconds_later() -> None:  # time travel: the annotator's intervals move one beat period back
        period = dt.timedelta(seconds=20)
        ActivityInterval.objects.filter(annotator=ann).update(
            started_at=F("started_at") - period, ended_at=F("ended_at") - period
        )
        HeartbeatTab.objects.filter(annotator=ann).update(updated_at=F("updated_at") - period)

    opening = client.post("/work/heartbeat", {"assignment": assignment.pk, "tab": "t1", "seq": 1, "keys": 2}).json()
    twenty_seconds_later()
    first = client.post("/work/heartbeat", {"assignment": assignment.pk, "tab": "t1", "seq": 2, "keys": 2}).json()
    twenty_seconds_later()
    repeat = client.post("/work/heartbeat", {"assignment": assignment.pk, "tab": "t1", "seq": 2, "keys": 2}).json()

    assert opening["credited"] == 0  # the first beat opens an interval
    assert first["credited"] >= 20 and repeat["credited"] == 0
    assignment.refresh_from_db()
    assert assignment.active_seconds == first["credited"]
    assert set(first) == {"credited", "today_seconds", "week_seconds", "today", "week"}
    assert first["today"] == duration(first["today_seconds"])  # formatted once, on the server


def test_state_changes_need_a_csrf_token(ann: User) -> None:
    project = claimable_project(annotators=[ann])
    client = Client(enforce_csrf_checks=True)
    client.force_login(ann)

    assert client.post(f"/projects/{project.slug}/start").status_code == 403
    assignment = queue.claim_next_assignment(project=project, annotator=ann)
    for path in ("draft", "run", "submit", "skip"):
        assert client.post(f"/work/{assignment.pk}/{path}", {}).status_code == 403
    assert client.post("/work/heartbeat", {"seq": 1}).status_code == 403


def queries_for_workspace(client: Client, user: User, responses: int, run_count: int) -> int:
    project = claimable_project(annotators=[user], responses=responses, tasks=1)
    assignment = open_workspace(client, user, project)
    for i in range(run_count):
        run = runs.run_tests(assignment=assignment, code=f"def test_{i}():\n    pass\n")
        for result in run.results.all():
            tests = [{"name": f"t{k}", "outcome": "passed", "duration_ms": 1, "message": ""} for k in range(6)]
            runs.record_test_result(test_result_id=result.pk, result={"status": "passed", "tests": tests, "passed": 6})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/work/{assignment.pk}/").status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_workspace_query_count_does_not_grow_with_responses_or_results(client: Client) -> None:
    small = queries_for_workspace(client, make_user("s"), responses=2, run_count=1)
    large = queries_for_workspace(client, make_user("l"), responses=8, run_count=6)

    assert small == large
    assert large <= 20


def test_the_lead_sees_submitted_judgments_with_their_time_and_annotators_do_not(
    client: Client, ann: User, lead: User
) -> None:
    project = claimable_project(annotators=[ann], min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    assignment = open_workspace(client, ann, project)
    heartbeats(ann, assignment, 754)  # 12 min 34 s on the task
    submit_judgment(assignment)

    mine = client.get(f"/projects/{project.slug}/").content.decode()
    client.force_login(lead)
    theirs = client.get(f"/projects/{project.slug}/").content.decode()

    assert 'id="judgments"' not in mine and "<strong>1</strong> submitted" in mine
    assert 'id="judgments"' in theirs and ann.username in theirs and "12 min" in theirs


@pytest.mark.parametrize(("language", "hint"), [("python", "from solution import"), ("javascript", "require(")])
def test_the_editor_and_hint_follow_the_language_registry(client: Client, ann: User, language: str, hint: str) -> None:
    project = services.create_project(slug=f"lang-{language}", name="Languages", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=ann, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task_line("t-1", language=language))])
    assignment = open_workspace(client, ann, project)

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert f'data-editor-mode="{language}"' in html
    assert f"vendor/codemirror/mode/{language}/{language}.js" in html
    other = "javascript" if language == "python" else "python"
    assert f"mode/{other}/{other}.js" not in html and hint in html
