"""My work: an annotator's own submitted work with verdicts and feedback, and reopening a submitted
judgment to revise it while it is not yet reviewed (issue 12, part 7)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, JudgmentRevision
from annotation.review import services as review
from annotation.work import judging, queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, submit_judgment


@pytest.fixture
def work(annotator: User, annotator2: User, reviewer: User) -> Project:
    project = claimable_project(annotators=[annotator, annotator2], tasks=3, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    return project


def _submitted(
    project: Project, user: User, rationale: str = "A is right and B is wrong on every input."
) -> Assignment:
    assignment = queue.claim_next_assignment(project=project, annotator=user)
    submit_judgment(assignment, rationale=rationale)
    return assignment


def _api(client: Client, user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


# --- The list


def test_my_work_lists_own_work_only_with_verdict_and_feedback(
    client: Client, work: Project, annotator: User, annotator2: User, reviewer: User
) -> None:
    sent_back = _submitted(work, annotator)
    pending = _submitted(work, annotator)
    review.review_judgment(
        assignment=sent_back, reviewer=reviewer, verdict="send_back", feedback="Explain the [] case."
    )
    theirs = _submitted(work, annotator2)
    client.force_login(annotator)
    page = client.get(f"/projects/{work.slug}/my-work/")
    assert page.status_code == 200
    html = page.content.decode()
    assert sent_back.task.external_id in html and "Explain the [] case." in html and "Send back" in html
    assert f"/work/{pending.pk}/reopen" in html and f"/work/{sent_back.pk}/reopen" not in html
    rows = client.get(f"/api/v1/projects/{work.slug}/my-work", headers=_api(client, annotator)).json()
    assert {row["id"] for row in rows} == {sent_back.pk, pending.pk}  # never annotator2's
    assert theirs.pk not in {row["id"] for row in rows}
    by_id = {row["id"]: row for row in rows}
    assert by_id[sent_back.pk]["verdict"] == "send_back" and by_id[sent_back.pk]["feedback"] == "Explain the [] case."
    assert by_id[pending.pk]["verdict"] is None and by_id[pending.pk]["can_reopen"] is True
    assert by_id[sent_back.pk]["can_reopen"] is False


def test_the_project_page_links_to_my_work(client: Client, work: Project, annotator: User) -> None:
    client.force_login(annotator)
    assert f"/projects/{work.slug}/my-work/" in client.get(f"/projects/{work.slug}/").content.decode()


# --- Reopening


def test_reopen_before_review_makes_it_active_with_a_fresh_lease(
    client: Client, work: Project, annotator: User
) -> None:
    assignment = _submitted(work, annotator)
    client.force_login(annotator)
    answer = client.post(f"/work/{assignment.pk}/reopen")
    assert answer.status_code == 302 and answer["Location"] == f"/work/{assignment.pk}/"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE and assignment.lease_expires_at is not None
    assert client.get(f"/work/{assignment.pk}/").status_code == 200  # the workspace opens it again


def test_reopen_through_the_api(client: Client, work: Project, annotator: User) -> None:
    assignment = _submitted(work, annotator)
    answer = client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=_api(client, annotator))
    assert answer.status_code == 200 and answer.json()["status"] == "active"


def test_revision_history_keeps_the_first_submission_and_the_second(work: Project, annotator: User) -> None:
    assignment = _submitted(work, annotator, rationale="First take: A is right on every input given.")
    assignment = queue.reopen_assignment(assignment=assignment)
    assignment.refresh_from_db()
    submit_judgment(assignment, rationale="Second take: A is right, and B fails on the empty list.")
    revisions = JudgmentRevision.objects.filter(judgment__assignment=assignment, submitted=True).order_by("number")
    assert [r.data["rationale"][:12] for r in revisions] == ["First take: ", "Second take:"]
    assert assignment.status == Assignment.Status.SUBMITTED


def test_reopen_is_refused_after_review(client: Client, work: Project, annotator: User, reviewer: User) -> None:
    assignment = _submitted(work, annotator)
    review.review_judgment(assignment=assignment, reviewer=reviewer, verdict="accept")
    client.force_login(annotator)
    answer = client.post(f"/work/{assignment.pk}/reopen", follow=True)
    assert "has been reviewed meanwhile" in answer.content.decode()
    api = client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=_api(client, annotator))
    assert api.status_code == 409 and "reviewed" in api.json()["detail"]
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


def test_reopen_is_refused_when_another_task_in_hand_has_work_on_it(
    client: Client, work: Project, annotator: User
) -> None:
    assignment = _submitted(work, annotator)
    active = queue.claim_next_assignment(project=work, annotator=annotator)
    judging.save_draft(assignment=active, data={"rationale": "started on this one"})
    api = client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=_api(client, annotator))
    assert api.status_code == 409 and active.task.external_id in api.json()["detail"]
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


def test_reopen_right_after_submit_and_next_returns_the_untouched_next_task(
    client: Client, work: Project, annotator: User
) -> None:
    """Catches the dead end where "submit and next" hands out a task, so reopening is always refused
    (and a skip claims yet another): an untouched task in hand goes back to the queue instead."""
    assignment = _submitted(work, annotator)
    untouched = queue.claim_next_assignment(project=work, annotator=annotator)
    api = client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=_api(client, annotator))
    assert api.status_code == 200
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE
    assert not Assignment.objects.filter(pk=untouched.pk).exists()
    untouched.task.refresh_from_db()
    assert untouched.task.taken == 0  # its place is back in the queue
    # after resubmitting, the next claim may give them that task again
    submit_judgment(assignment)
    assert queue.claim_next_assignment(project=work, annotator=annotator).task_id == untouched.task_id


def test_a_resubmission_after_send_back_may_be_reopened_until_reviewed_again(
    work: Project, annotator: User, reviewer: User
) -> None:
    assignment = _submitted(work, annotator)
    review.review_judgment(assignment=assignment, reviewer=reviewer, verdict="send_back", feedback="Say more.")
    again = queue.claim_next_assignment(project=work, annotator=annotator)
    assert again.pk == assignment.pk
    submit_judgment(again, rationale="Now with more: A is right and B fails on [].")
    queue.reopen_assignment(assignment=again)
    again.refresh_from_db()
    assert again.status == Assignment.Status.ACTIVE


# --- Who may


@pytest.mark.parametrize("page", [True, False])
def test_anonymous_is_sent_to_login_or_gets_401(client: Client, work: Project, annotator: User, page: bool) -> None:
    assignment = _submitted(work, annotator)
    if page:
        assert client.get(f"/projects/{work.slug}/my-work/").status_code == 302
        assert client.post(f"/work/{assignment.pk}/reopen").status_code == 302
    else:
        assert client.get(f"/api/v1/projects/{work.slug}/my-work").status_code == 401
        assert client.post(f"/api/v1/assignments/{assignment.pk}/reopen").status_code == 401
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


def test_outsider_gets_404(client: Client, work: Project, annotator: User, outsider: User) -> None:
    assignment = _submitted(work, annotator)
    client.force_login(outsider)
    assert client.get(f"/projects/{work.slug}/my-work/").status_code == 404
    assert client.post(f"/work/{assignment.pk}/reopen").status_code == 404
    headers = _api(client, outsider)
    assert client.get(f"/api/v1/projects/{work.slug}/my-work", headers=headers).status_code == 404
    assert client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=headers).status_code == 404


@pytest.mark.parametrize("who", ["annotator2", "reviewer", "lead"])
def test_nobody_else_reopens_an_annotators_work(
    client: Client, work: Project, annotator: User, request: pytest.FixtureRequest, who: str
) -> None:
    other: User = request.getfixturevalue(who)
    if who == "lead":
        services.add_member(project=work, user=other, role=Role.LEAD)
    assignment = _submitted(work, annotator)
    client.force_login(other)
    assert client.post(f"/work/{assignment.pk}/reopen").status_code == 404
    assert client.post(f"/api/v1/assignments/{assignment.pk}/reopen", headers=_api(client, other)).status_code == 404
    rows = client.get(f"/api/v1/projects/{work.slug}/my-work", headers=_api(client, other)).json()
    assert assignment.pk not in {row["id"] for row in rows}
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


def test_reviewers_and_leads_see_only_their_own_work_in_my_work(
    client: Client, work: Project, annotator: User, reviewer: User
) -> None:
    _submitted(work, annotator)
    client.force_login(reviewer)
    assert client.get(f"/projects/{work.slug}/my-work/").status_code == 200
    assert client.get(f"/api/v1/projects/{work.slug}/my-work", headers=_api(client, reviewer)).json() == []


def test_reopened_work_left_until_its_lease_ends_goes_back_to_its_submission(work: Project, annotator: User) -> None:
    """A reopened assignment whose lease ran out expired like any other, and its submission was lost."""
    import datetime as dt

    from django.utils import timezone

    from annotation.work import judging

    assignment = _submitted(work, annotator, rationale="The first submission: A handles the empty list.")
    assignment = queue.reopen_assignment(assignment=assignment)
    judging.save_draft(assignment=assignment, data={"rationale": "half-typed second thou"})

    queue.expire_assignments(now=timezone.now() + dt.timedelta(days=1))

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED and assignment.lease_expires_at is None
    assert assignment.judgment.rationale == "The first submission: A handles the empty list."
    assert JudgmentRevision.objects.filter(judgment=assignment.judgment, data__rationale="half-typed second thou")
