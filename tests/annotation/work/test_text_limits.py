"""Nothing silently cut (issue 11, finding 7): over-long text is refused with its limit named, and a
judgment keeps a bounded number of revisions.

A 10 MiB rationale used to answer 200 while only its first 65,536 characters were kept, and every
autosave kept a revision of up to ~700 KiB, without end.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment, Judgment, JudgmentRevision, TestCase, TestResult, TestRun
from annotation.review import services as review
from annotation.work import judging, queue
from annotation.work.judgment_input import MAX_TEXT, JudgmentInvalid
from tasks.models import Project, User
from tests.annotation.work.test_workspace_api import Api
from tests.conftest import RATIONALE, claimable_project, submit_judgment

LIMIT = f"{MAX_TEXT:,}"
TOO_LONG = "x" * (MAX_TEXT + 1)


@pytest.fixture
def project(annotator: User) -> Project:
    made = claimable_project(annotators=[annotator], tasks=1, min_tests=0)
    made.requires_ideal_solution = True
    made.save(update_fields=["requires_ideal_solution"])
    return made


@pytest.fixture
def assignment(project: Project, annotator: User) -> Assignment:
    claimed = queue.claim_next_assignment(project=project, annotator=annotator)
    claimed.response_order = ["B", "A"]  # the annotator's A is stored B
    claimed.save(update_fields=["response_order"])
    return claimed


@pytest.mark.parametrize("field", ["rationale", "ideal_solution", "tests_code"])
def test_an_over_long_text_is_refused_naming_the_field_and_its_limit(assignment: Assignment, field: str) -> None:
    """clean() cut the text to 65,536 characters and saved the rest of the draft as if nothing happened."""
    judging.save_draft(assignment=assignment, data={field: "kept"})

    with pytest.raises(JudgmentInvalid) as refused:
        judging.save_draft(assignment=assignment, data={field: TOO_LONG})

    assert set(refused.value.errors) == {field}
    assert LIMIT in refused.value.errors[field] and f"{MAX_TEXT + 1:,}" in refused.value.errors[field]
    assert getattr(Judgment.objects.get(assignment=assignment), field) == "kept"


def test_a_text_at_the_limit_is_kept_whole(assignment: Assignment) -> None:
    judgment = judging.save_draft(assignment=assignment, data={"rationale": "y" * MAX_TEXT})

    assert len(Judgment.objects.get(pk=judgment.pk).rationale) == MAX_TEXT


def test_an_over_long_comment_is_refused_naming_the_annotators_letter(assignment: Assignment) -> None:
    with pytest.raises(JudgmentInvalid) as refused:
        judging.save_draft(assignment=assignment, data={"comments": {"A": "fine", "B": TOO_LONG}})

    message = refused.value.errors["comments"]
    assert "comment on A" in message and LIMIT in message  # stored B is the annotator's A
    assert not Judgment.objects.filter(assignment=assignment).exists()


def test_an_over_long_rationale_from_the_page_is_refused_not_cut(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """The autosave answered 200 and kept the first 65,536 characters; a 10 MiB body is refused
    before it is read (the request body limit), and nothing is stored either way."""
    client.force_login(annotator)

    answer = client.post(f"/work/{assignment.pk}/draft", {"rationale": TOO_LONG})
    huge = client.post(f"/work/{assignment.pk}/draft", {"rationale": "z" * (10 * 1024 * 1024)})

    assert answer.status_code == 400
    body = answer.json()
    assert body["saved"] is False and LIMIT in body["errors"]["rationale"]
    assert huge.status_code == 413
    assert not Judgment.objects.filter(assignment=assignment).exclude(rationale="").exists()


def test_an_over_long_comment_from_the_page_is_refused(client: Client, annotator: User, assignment: Assignment) -> None:
    client.force_login(annotator)

    answer = client.post(f"/work/{assignment.pk}/draft", {"comment-A": TOO_LONG})

    assert answer.status_code == 400 and "comment on A" in answer.json()["errors"]["comments"]


@pytest.mark.parametrize("field", ["rationale", "ideal_solution", "tests_code", "comments", "evidence_note"])
def test_the_api_refuses_an_over_long_text_naming_the_field(
    client: Client, annotator: User, assignment: Assignment, field: str
) -> None:
    api = Api(client, annotator)
    body: dict[str, Any] = {field: {"A": TOO_LONG} if field == "comments" else TOO_LONG}

    answer = (
        api.post(f"assignments/{assignment.pk}/submit", body)
        if field == "evidence_note"
        else api.put(f"assignments/{assignment.pk}/draft", body)
    )

    assert answer.status_code == 400
    assert field in answer.json() and str(MAX_TEXT) in str(answer.json()[field])
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.ACTIVE


def test_an_over_long_evidence_note_is_refused_not_cut(assignment: Assignment) -> None:
    """The note on a ranking against one's own tests was cut to 65,536 characters when submitted."""
    run = TestRun.objects.create(
        assignment=assignment, test_case=TestCase.objects.create(assignment=assignment, code="x")
    )
    for response in assignment.task.responses.all():  # stored B passes more; the ranking puts A first
        TestResult.objects.create(
            test_run=run,
            response=response,
            status="passed",
            passed=2 if response.label == "B" else 1,
            finished_at=timezone.now(),
        )

    with pytest.raises(JudgmentInvalid) as refused:
        submit_judgment(
            assignment, ranking=[["A"], ["B"]], ideal_solution="pass", confirm_evidence=True, evidence_note=TOO_LONG
        )

    assert LIMIT in refused.value.errors["evidence_note"]
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.ACTIVE


def test_a_judgment_keeps_its_newest_revisions_and_every_submission(
    settings: Any, assignment: Assignment, annotator: User, lead: User
) -> None:
    """Every autosave kept a revision, without end."""
    settings.JUDGMENT_MAX_REVISIONS = 5
    submit_judgment(assignment, ideal_solution="pass")  # revisions 1 (draft) and 2 (submitted)
    review.review_judgment(assignment=assignment, reviewer=lead, verdict="send_back", feedback="say more")
    queue.claim_next_assignment(project=assignment.task.project, annotator=annotator)
    assignment.refresh_from_db()

    for i in range(10):  # revisions 3..12
        judging.save_draft(assignment=assignment, data={"rationale": f"{RATIONALE} take {i}"})

    kept = list(JudgmentRevision.objects.filter(judgment__assignment=assignment).values_list("number", "submitted"))
    assert kept == [(2, True), (9, False), (10, False), (11, False), (12, False)]
    newest = JudgmentRevision.objects.get(judgment__assignment=assignment, number=12)
    assert newest.data["rationale"] == f"{RATIONALE} take 9"


def test_submissions_are_kept_even_past_the_cap(settings: Any, assignment: Assignment) -> None:
    settings.JUDGMENT_MAX_REVISIONS = 1
    submit_judgment(assignment, ideal_solution="pass")

    kept = list(JudgmentRevision.objects.filter(judgment__assignment=assignment).values_list("number", "submitted"))

    assert kept == [(2, True)]
