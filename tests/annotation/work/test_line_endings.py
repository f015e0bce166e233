"""Every multi-line text typed or imported is stored, and exported, with LF line ends: a browser posts a
textarea with CRLF, an API client sends LF, a file may have either, and one dataset must not mix them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment, CommentReply, Judgment, Review, TestCase
from annotation.projects import services as setup
from annotation.work import queue, runs
from exporters import services as exports
from sandbox import results
from sandbox.models import Execution
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, Task, User
from tests.annotation.projects.conftest import form_data, grant_create
from tests.conftest import make_user

CRLF_TESTS = "from solution import add\r\n\r\ndef test_add():\r\n    assert add(1, 2) == 3\r\n"
LF_TESTS = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
TASK = {
    "id": "crlf",
    "prompt": "Write `add(a, b)`.\r\nReturn the sum.\rNothing else.",
    "language": "python",
    "responses": [
        {"model": "m-good", "code": "def add(a, b):\r\n    return a + b\r\n"},
        {"model": "m-bad", "code": "def add(a, b):\r\n    return a - b\r\n"},
    ],
}

LINE_COMMENT = {"id": "c1", "start": 2, "end": 2, "category": "bug", "severity": "major", "text": "a - b\r\nnot a + b"}


@pytest.fixture
def people(db: None) -> dict[str, User]:
    return {"annotator": make_user("lf-annotator"), "reviewer": make_user("lf-reviewer")}


@pytest.fixture
def project(people: dict[str, User]) -> Project:
    project = services.create_project(
        slug="lf", name="LF", ranking_mode=RankingMode.RANKING, overlap=1, min_tests=1, min_rationale_chars=20
    )
    services.add_member(project=project, user=people["annotator"], role=Role.ANNOTATOR)
    services.add_member(project=project, user=people["reviewer"], role=Role.REVIEWER)
    import_tasks(project=project, lines=[json.dumps(TASK)])
    return project


def verdict(passed: int) -> dict[str, Any]:
    """A finished sandbox result with `passed` of two tests passing, as the sandbox's callback delivers it."""
    outcomes = [results.Outcome.PASSED if i < passed else results.Outcome.FAILED for i in range(2)]
    tests = [results.TestOutcome(f"test_{i}", outcome, 1, "") for i, outcome in enumerate(outcomes)]
    status = results.Status.PASSED if passed == 2 else results.Status.FAILED
    return results.RunResult(status=status, tests=tests).to_dict()


def the_form(assignment: Assignment) -> dict[str, str]:
    """The workspace form as a browser posts it: every textarea with CRLF line ends. The annotator
    ranks the response that failed a test first, so the form also carries the note on that ranking."""
    show = assignment.display_label
    bad = assignment.task.responses.get(model_name="m-bad").label
    good = assignment.task.responses.get(model_name="m-good").label
    form = {
        f"rank-{show(bad)}": "1",
        f"rank-{show(good)}": "2",
        "rationale": "B reads better.\r\nA is shorter.\rBoth handle ints.",
        "ideal_solution": "def add(a, b):\r\n    return a + b\r\n",
        "tests_code": CRLF_TESTS,
        f"comment-{show(bad)}": "Subtracts.\r\nWrong sign.",
        "line_comments": json.dumps([{**LINE_COMMENT, "label": show(bad)}]),
        "confirm_evidence": "on",
        "evidence_note": "The failing test\r\nchecks a case the prompt leaves open.",
    }
    for label in assignment.response_order:
        form |= {f"rating-{show(label)}-{d['key']}": "3" for d in assignment.task.project.rubric}
    return form


def no_cr(value: Any) -> bool:
    return "\r" not in json.dumps(value)


def test_an_imported_task_is_stored_with_lf(project: Project) -> None:
    task = Task.objects.get(project=project)

    assert task.prompt == "Write `add(a, b)`.\nReturn the sum.\nNothing else."
    assert sorted(task.responses.values_list("code", flat=True)) == [
        "def add(a, b):\n    return a + b\n",
        "def add(a, b):\n    return a - b\n",
    ]


def test_a_conversations_messages_are_stored_with_lf(project: Project) -> None:
    line = {**TASK, "id": "conv", "messages": [{"role": "user", "content": "Write add.\r\nPlease."}]}
    del line["prompt"]

    import_tasks(project=project, lines=[json.dumps(line)])

    task = Task.objects.get(external_id="conv")
    assert task.messages == [{"role": "user", "content": "Write add.\nPlease."}] and "\r" not in task.prompt


def test_the_workspace_forms_end_lf_in_the_database_and_in_the_export(
    client: Client, project: Project, people: dict[str, User], tmp_path: Path
) -> None:
    annotator, reviewer = people["annotator"], people["reviewer"]
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    client.force_login(annotator)
    form = the_form(assignment)

    ran = client.post(f"/work/{assignment.pk}/run", {"tests_code": CRLF_TESTS})
    for result_id, model in TestCase.objects.get().runs.get().results.values_list("id", "response__model_name"):
        runs.record_test_result(test_result_id=result_id, result=verdict(2 if model == "m-good" else 1))
    submitted = client.post(f"/work/{assignment.pk}/submit", form)

    assert ran.status_code == 200 and submitted.status_code == 302, submitted.content.decode()[:2000]
    assert TestCase.objects.get().code == LF_TESTS and Execution.objects.filter(tests=LF_TESTS).count() == 2
    judgment = Judgment.objects.get(assignment=assignment)
    assert judgment.tests_code == LF_TESTS
    assert judgment.rationale == "B reads better.\nA is shorter.\nBoth handle ints."
    assert judgment.ideal_solution == "def add(a, b):\n    return a + b\n"
    assert list(judgment.comments.values()) == ["Subtracts.\nWrong sign."]
    assert [c["text"] for c in judgment.line_comments] == ["a - b\nnot a + b"]
    assert (
        judgment.evidence_conflict
        and judgment.evidence_note == "The failing test\nchecks a case the prompt leaves open."
    )

    out = tmp_path / "raw.jsonl"
    exports.write_dataset(
        project=project, format="raw", mode="judgment", filters={}, cutoff=timezone.now(), after=None, out=out
    )
    raw = out.read_bytes()
    assert b"\\r" not in raw and b"\r" not in raw
    row = json.loads(raw)
    assert row["rationale"] == judgment.rationale and row["tests_code"] == LF_TESTS
    assert row["evidence_note"] == judgment.evidence_note and row["prompt"].count("\n") == 2

    client.post(f"/work/{assignment.pk}/replies", {"comment_id": "c1", "text": "Fixed in\r\nmy ideal solution."})
    client.force_login(reviewer)
    client.post(f"/review/{assignment.pk}/replies", {"comment_id": "c1", "text": "Agreed,\r\nthanks."})
    reviewed = client.post(
        f"/review/{assignment.pk}/", {"verdict": "send_back", "feedback": "Rank by the tests.\r\nThen resubmit."}
    )

    assert reviewed.status_code == 302
    assert sorted(CommentReply.objects.values_list("text", flat=True)) == [
        "Agreed,\nthanks.",
        "Fixed in\nmy ideal solution.",
    ]
    assert Review.objects.get().feedback == "Rank by the tests.\nThen resubmit."


def test_a_draft_saved_from_the_page_is_stored_with_lf(
    client: Client, project: Project, people: dict[str, User]
) -> None:
    assignment = queue.claim_next_assignment(project=project, annotator=people["annotator"])
    client.force_login(people["annotator"])

    saved = client.post(f"/work/{assignment.pk}/draft", {"rationale": "one\r\ntwo", "tests_code": CRLF_TESTS})

    judgment = Judgment.objects.get(assignment=assignment)
    assert saved.status_code == 200 and (judgment.rationale, judgment.tests_code) == ("one\ntwo", LF_TESTS)
    assert all(no_cr(r.data) for r in judgment.revisions.all())


def test_the_instructions_are_saved_with_lf_from_the_settings_page(client: Client, db: None) -> None:
    creator = grant_create(make_user("lf-creator"))
    project = setup.create_project(actor=creator, slug="lf-setup", values={"name": "LF setup"})
    client.force_login(creator)

    answer = client.post(
        "/projects/lf-setup/settings/", form_data(project, instructions="# Rules\r\n\r\nBe exact.\rNo guessing.")
    )

    project.refresh_from_db()
    assert answer.status_code == 302 and project.instructions == "# Rules\n\nBe exact.\nNo guessing."
