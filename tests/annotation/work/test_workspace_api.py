"""API parity: claim, draft, run, results, submit, skip, heartbeat, in the annotator's own letters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import ActivityInterval, Assignment, HeartbeatTab, Judgment
from annotation.work import runs
from tasks.models import User
from tests.conftest import claimable_project

RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


class Api:
    def __init__(self, client: Client, user: User) -> None:
        self.client, self.auth = client, {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api/v1/{path}", body or {}, content_type="application/json", headers=self.auth)

    def put(self, path: str, body: dict):
        return self.client.put(f"/api/v1/{path}", body, content_type="application/json", headers=self.auth)

    def get(self, path: str):
        return self.client.get(f"/api/v1/{path}", headers=self.auth)


@pytest.fixture
def ann(annotator: User) -> User:
    return annotator


def test_the_whole_cycle_through_the_api(client: Client, ann: User) -> None:
    project = claimable_project(annotators=[ann], tasks=2)
    api = Api(client, ann)

    claimed = api.post(f"projects/{project.slug}/assignments/next").json()
    aid = claimed["id"]
    assert [r["label"] for r in claimed["responses"]] == ["A", "B"] and "model" not in str(claimed["responses"])

    draft = api.put(f"assignments/{aid}/draft", {"ranking": [["B"], ["A"]], "rationale": "draft"}).json()
    assert draft["judgment"]["ranking"] == [["B"], ["A"]]
    assignment = Assignment.objects.get(pk=aid)
    assert Judgment.objects.get(assignment=assignment).ranking == [
        [assignment.response_order[1]],
        [assignment.response_order[0]],
    ]

    run = api.post(f"assignments/{aid}/runs", {"code": "def test_one():\n    pass\n"})
    assert run.status_code == 202 and run.json()["pending"] is True
    assert api.post(f"assignments/{aid}/runs", {"code": "def test_two():\n    pass\n"}).status_code == 409
    for result in assignment.test_runs.get().results.all():  # what the sandbox callback stores
        runs.record_test_result(
            test_result_id=result.pk,
            result={"status": "passed", "tests": [{"name": "test_one", "outcome": "passed"}], "passed": 1, "failed": 0},
        )
    latest = api.get(f"assignments/{aid}/runs/latest").json()
    assert latest["pending"] is False and {r["response"] for r in latest["results"]} == {"A", "B"}

    incomplete = api.post(f"assignments/{aid}/submit", {"rationale": "too short"})
    assert incomplete.status_code == 400 and "ratings" in incomplete.json()["errors"]
    complete = {
        "ranking": [["B"], ["A"]],
        "ratings": {x: dict.fromkeys(RUBRIC, 3) for x in "AB"},
        "rationale": "B handles the empty list; A crashes with IndexError on it.",
    }
    done = api.post(f"assignments/{aid}/submit", complete)
    again = api.post(f"assignments/{aid}/submit", complete)
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert again.status_code == 200 and Judgment.objects.filter(assignment_id=aid).count() == 1

    beat = api.post("heartbeat", {"assignment": None, "tab": "cli", "seq": 1, "keys": 3}).json()
    assert beat["credited"] == 0 and "week_seconds" in beat  # the first beat opens an interval
    period = dt.timedelta(seconds=20)  # time travel: that beat came one period ago
    ActivityInterval.objects.filter(annotator=ann).update(
        started_at=F("started_at") - period, ended_at=F("ended_at") - period
    )
    HeartbeatTab.objects.filter(annotator=ann).update(updated_at=F("updated_at") - period)
    assert api.post("heartbeat", {"assignment": None, "tab": "cli", "seq": 2, "keys": 3}).json()["credited"] >= 20
    ActivityInterval.objects.filter(annotator=ann).update(
        started_at=F("started_at") - period, ended_at=F("ended_at") - period
    )
    HeartbeatTab.objects.filter(annotator=ann).update(updated_at=F("updated_at") - period)
    repeat = api.post("heartbeat", {"assignment": None, "tab": "cli", "seq": 2, "keys": 3})
    assert repeat.json()["credited"] == 0  # a repeat

    following = api.post(f"projects/{project.slug}/assignments/next").json()
    assert following["id"] != aid
    assert (
        api.post(f"assignments/{following['id']}/skip", {"reason": "unfamiliar library"}).json()["status"] == "skipped"
    )
    assert api.post(f"projects/{project.slug}/assignments/next").status_code == 204


def test_another_annotators_assignment_is_404(client: Client, ann: User, annotator2: User) -> None:
    other = annotator2
    project = claimable_project(annotators=[ann, other])
    aid = Api(client, ann).post(f"projects/{project.slug}/assignments/next").json()["id"]
    api = Api(client, other)

    assert api.get(f"assignments/{aid}").status_code == 404
    assert api.put(f"assignments/{aid}/draft", {"rationale": "mine now"}).status_code == 404
    assert api.post(f"assignments/{aid}/submit", {}).status_code == 404


def test_the_schema_documents_the_annotator_operations(client: Client, ann: User) -> None:
    client.force_login(ann)
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    for path in (
        "/api/v1/projects/{slug}/assignments/next",
        "/api/v1/assignments/{assignment_id}/draft",
        "/api/v1/assignments/{assignment_id}/runs",
        "/api/v1/assignments/{assignment_id}/submit",
        "/api/v1/heartbeat",
    ):
        assert path in paths
