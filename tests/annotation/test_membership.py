"""Membership governs the work (issue 11, findings 2 and 8).

Finding 2: after a lead removed an annotator, 7 of 8 actions on their open assignment still worked
(workspace, draft, run, paid heartbeats, submit; the judgment reached exports). Now every access to an
assignment needs a current membership of its project, and the removed member's open work goes back
to the queue.
Finding 8 (part): review/<id> answered 403 or 404 depending on whether the id existed; now everyone who
may not see an assignment gets the same 404, on the pages and in the API.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import ActivityInterval, Assignment, Judgment, TestRun
from annotation.work import judging, queue
from tasks import services
from tasks.models import Membership, Project, Role, Task, User
from tests.conftest import claimable_project, heartbeats, make_user, submit_judgment

TESTS = "from solution import add\n\ndef test_small():\n    assert add(2, 2) == 4\n"
MISSING = 987654321


def api(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def send(client: Client, method: str, path: str, user: User, body: dict[str, object]) -> HttpResponse:
    """A JSON API call with the user's token."""
    return getattr(client, method)(f"/api/v1/{path}", body, content_type="application/json", headers=api(user))


@pytest.fixture
def crew(lead: User, reviewer: User, annotator: User, annotator2: User) -> Project:
    """One task, one place (overlap 1), so whoever holds it keeps everyone else out."""
    project = claimable_project(annotators=[annotator, annotator2], tasks=1, overlap=1, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    return project


@pytest.fixture
def in_hand(crew: Project, annotator: User) -> Assignment:
    """The annotator's open assignment, with a draft saved."""
    assignment = queue.claim_next_assignment(project=crew, annotator=annotator)
    judging.save_draft(assignment=assignment, data={"rationale": "A is right on the empty input."})
    return assignment


def test_a_removed_member_can_no_longer_work_on_run_time_or_submit_their_assignment(
    client: Client, crew: Project, annotator: User, in_hand: Assignment
) -> None:
    """Finding 2: every page and API action on the open assignment answers 404 once they are removed,
    and nothing they send is stored: no run, no paid time, no submission (so nothing reaches exports)."""
    services.remove_member(project=crew, user=annotator)
    client.force_login(annotator)
    pk = in_hand.pk
    beat = {"assignment": pk, "tab": "t1", "seq": 1}
    answers = {
        "workspace": client.get(f"/work/{pk}/"),
        "draft": client.post(f"/work/{pk}/draft", {"rationale": "still here"}),
        "run": client.post(f"/work/{pk}/run", {"tests_code": TESTS}),
        "results": client.get(f"/work/{pk}/results"),
        "diff": client.get(f"/work/{pk}/diff", {"a": "A", "b": "B"}),
        "heartbeat": client.post("/work/heartbeat", beat),
        "submit": client.post(f"/work/{pk}/submit", {"rationale": "x" * 30}),
        "skip": client.post(f"/work/{pk}/skip", {"reason": "leaving"}),
        "api detail": client.get(f"/api/v1/assignments/{pk}", headers=api(annotator)),
        "api draft": send(client, "put", f"assignments/{pk}/draft", annotator, {"rationale": "x"}),
        "api run": send(client, "post", f"assignments/{pk}/runs", annotator, {"code": TESTS}),
        "api latest run": client.get(f"/api/v1/assignments/{pk}/runs/latest", headers=api(annotator)),
        "api heartbeat": send(client, "post", "heartbeat", annotator, {**beat, "seq": 2}),
        "api submit": send(client, "post", f"assignments/{pk}/submit", annotator, {"rationale": "x" * 30}),
        "api skip": send(client, "post", f"assignments/{pk}/skip", annotator, {"reason": "x"}),
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert not TestRun.objects.filter(assignment=in_hand).exists()
    assert not ActivityInterval.objects.filter(assignment=in_hand).exists()
    assert Judgment.objects.get(assignment=in_hand).submitted_at is None
    assert Judgment.objects.get(assignment=in_hand).rationale == "A is right on the empty input."
    assert client.post(f"/projects/{crew.slug}/start").status_code == 404  # and no new work


def test_removing_a_member_gives_their_open_work_back_to_the_queue(
    crew: Project, annotator: User, annotator2: User, in_hand: Assignment
) -> None:
    """Finding 2: the removed member's active assignment kept its place; the task stayed theirs."""
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=crew, annotator=annotator2)  # the one place is held

    services.remove_member(project=crew, user=annotator)
    taken_over = queue.claim_next_assignment(project=crew, annotator=annotator2)

    in_hand.refresh_from_db()
    assert taken_over.task_id == in_hand.task_id
    assert in_hand.status == Assignment.Status.EXPIRED
    assert Task.objects.get(pk=in_hand.task_id).taken == 1  # annotator2's place only


def test_work_sent_back_to_a_removed_member_goes_back_to_the_queue_too(
    crew: Project, annotator: User, annotator2: User, in_hand: Assignment
) -> None:
    """Returned work holds a place and only its annotator can fix it: once they are gone, it is freed."""
    submit_judgment(in_hand)
    queue.return_assignment(assignment=in_hand)

    services.remove_member(project=crew, user=annotator)

    assert queue.claim_next_assignment(project=crew, annotator=annotator2).task_id == in_hand.task_id
    in_hand.refresh_from_db()
    assert in_hand.status == Assignment.Status.EXPIRED


def test_a_membership_deleted_anywhere_else_gives_the_work_back_at_once(
    crew: Project, annotator: User, in_hand: Assignment
) -> None:
    """The admin's membership inline deletes the row without tasks.services: the deletion itself (a
    post_delete receiver of annotation's) frees the place, so the claim need not look for departed members."""
    Membership.objects.get(project=crew, user=annotator).delete()

    in_hand.refresh_from_db()
    assert in_hand.status == Assignment.Status.EXPIRED
    assert Task.objects.get(pk=in_hand.task_id).taken == 0
    assert queue.expire_assignments() == 0  # nothing left for the sweep


def test_a_membership_deleted_behind_the_orms_back_is_swept_by_the_minute_job(
    crew: Project, annotator: User, in_hand: Assignment
) -> None:
    """Raw SQL sends no signal: the periodic expiry job still frees the place, once."""
    table = Membership._meta.db_table  # the model's own name, not input
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE project_id = %s AND user_id = %s", [crew.pk, annotator.pk])  # noqa: S608

    assert queue.expire_assignments() == 1
    assert Task.objects.get(pk=in_hand.task_id).taken == 0
    assert queue.expire_assignments() == 0  # once


def test_submitted_work_of_a_removed_member_stays(
    crew: Project, annotator: User, annotator2: User, in_hand: Assignment
) -> None:
    """Past work stays: a submitted judgment keeps its place (and stays reviewable and exportable)."""
    submit_judgment(in_hand)

    services.remove_member(project=crew, user=annotator)
    queue.expire_assignments()

    in_hand.refresh_from_db()
    assert in_hand.status == Assignment.Status.SUBMITTED
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=crew, annotator=annotator2)


def test_a_member_added_back_picks_up_their_draft(crew: Project, annotator: User, in_hand: Assignment) -> None:
    services.remove_member(project=crew, user=annotator)
    queue.expire_assignments()
    services.add_member(project=crew, user=annotator, role=Role.ANNOTATOR)

    again = queue.claim_next_assignment(project=crew, annotator=annotator)

    assert again.pk == in_hand.pk and again.status == Assignment.Status.ACTIVE
    assert again.judgment.rationale == "A is right on the empty input."


def test_heartbeats_of_a_removed_member_are_not_paid_for_the_project(
    client: Client, crew: Project, annotator: User, in_hand: Assignment
) -> None:
    """Time credited to the assignment before the removal stays; after it, beats naming it are refused."""
    earned = heartbeats(annotator, in_hand, 60)
    services.remove_member(project=crew, user=annotator)
    client.force_login(annotator)

    refused = client.post("/work/heartbeat", {"assignment": in_hand.pk, "tab": "later", "seq": 1})

    assert earned == 60 and refused.status_code == 404
    assert ActivityInterval.objects.filter(assignment=in_hand).count() == 1


# --- Finding 8: one 404 for ids the user may not see --------------------------------------------------


@pytest.fixture
def submitted(crew: Project, in_hand: Assignment) -> Assignment:
    submit_judgment(in_hand)
    return in_hand


@pytest.mark.parametrize(
    ("who", "page", "api_status"),
    [
        ("lead", 200, 201),
        ("reviewer", 200, 201),
        ("staff", 200, 201),
        ("annotator", 404, 404),  # their own work: annotators do not review
        ("annotator2", 404, 404),  # a colleague's work
        ("outsider", 404, 404),
    ],
)
def test_the_review_page_and_verdict_api_by_role(
    request: pytest.FixtureRequest, client: Client, submitted: Assignment, who: str, page: int, api_status: int
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)

    opened = client.get(f"/review/{submitted.pk}/")
    verdict = send(client, "post", f"assignments/{submitted.pk}/review", user, {"verdict": "accept"})

    assert (opened.status_code, verdict.status_code) == (page, api_status)


@pytest.mark.parametrize("who", ["annotator", "annotator2", "outsider", "reviewer", "lead"])
def test_a_review_id_that_does_not_exist_answers_as_one_the_user_may_not_see(
    request: pytest.FixtureRequest, client: Client, submitted: Assignment, who: str
) -> None:
    """Finding 8: an annotator got 403 for an existing id and 404 for a missing one, so ids could be probed."""
    user = request.getfixturevalue(who)
    client.force_login(user)

    missing = [
        client.get(f"/review/{MISSING}/").status_code,
        client.post(f"/review/{MISSING}/", {"verdict": "accept"}).status_code,
        send(client, "post", f"assignments/{MISSING}/review", user, {"verdict": "accept"}).status_code,
    ]

    assert missing == [404, 404, 404]


def test_anonymous_users_are_sent_to_log_in(client: Client, submitted: Assignment) -> None:
    page = client.get(f"/review/{submitted.pk}/")
    verdict = client.post(f"/api/v1/assignments/{submitted.pk}/review", {"verdict": "accept"})
    workspace = client.get(f"/work/{submitted.pk}/")

    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert workspace.status_code == 302 and workspace["Location"].startswith("/accounts/login/")
    assert verdict.status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [("annotator", 200), ("annotator2", 404), ("reviewer", 404), ("lead", 404), ("outsider", 404), ("staff", 404)],
)
def test_an_assignment_opens_for_its_annotator_only(
    request: pytest.FixtureRequest, client: Client, in_hand: Assignment, who: str, status: int
) -> None:
    """Reviewers and leads read work on the review page; the workspace is the annotator's alone, and a
    stranger's id answers like a missing one."""
    user = request.getfixturevalue(who)
    client.force_login(user)

    assert client.get(f"/work/{in_hand.pk}/").status_code == status
    assert client.get(f"/api/v1/assignments/{in_hand.pk}", headers=api(user)).status_code == status
    assert client.get(f"/work/{MISSING}/").status_code == 404


def test_a_reviewer_removed_from_the_project_loses_its_review_pages(
    client: Client, crew: Project, reviewer: User, submitted: Assignment
) -> None:
    services.remove_member(project=crew, user=reviewer)
    client.force_login(reviewer)

    assert client.get(f"/review/{submitted.pk}/").status_code == 404


def test_a_staff_member_keeps_their_own_work_without_a_membership(client: Client, crew: Project) -> None:
    """Site staff act as leads everywhere (tasks/access.py), so their work is not swept as a departed member's."""
    boss = make_user("site-boss", staff=True)
    mine = queue.claim_next_assignment(project=crew, annotator=boss)
    client.force_login(boss)

    assert queue.expire_assignments() == 0
    assert client.get(f"/work/{mine.pk}/").status_code == 200
