"""Members (issue 13, part 2): roles, removal (submitted work stays, work in hand goes back to the queue
now), the last lead, each member's last activity; the same through the API (part 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotation.models import Assignment
from annotation.people import services as people
from annotation.work import queue
from tasks import services
from tasks.models import AuditEvent, Invite, Membership, Project, Role, Task, User
from tests.annotation.people.conftest import people_post
from tests.conftest import claimable_project, heartbeats, make_user, submit_judgment


@pytest.fixture
def as_lead(client: Client, lead: User) -> Client:
    client.force_login(lead)
    return client


def api(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def role_of(project: Project, user: User) -> str | None:
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


# --- Roles


def test_a_lead_changes_a_members_role_and_it_is_audited(as_lead: Client, team: Project, annotator: User) -> None:
    answer = people_post(as_lead, team, action="role", username=annotator.username, role="reviewer")

    assert answer.status_code == 302
    assert role_of(team, annotator) == Role.REVIEWER
    event = AuditEvent.objects.get(project=team, action="member.role_changed")
    assert (event.target, event.changes) == (annotator.username, {"role": ["annotator", "reviewer"]})


def test_an_unknown_role_or_member_changes_nothing(
    as_lead: Client, team: Project, annotator: User, outsider: User
) -> None:
    bad_role = people_post(as_lead, team, action="role", username=annotator.username, role="owner")
    not_member = people_post(as_lead, team, action="role", username=outsider.username, role="lead")

    assert bad_role.status_code == 400 and "role: choose one of annotator, reviewer, lead" in bad_role.content.decode()
    assert not_member.status_code == 404 and role_of(team, outsider) is None
    assert role_of(team, annotator) == Role.ANNOTATOR


def test_the_last_lead_can_neither_demote_nor_remove_themselves(as_lead: Client, team: Project, lead: User) -> None:
    demoted = people_post(as_lead, team, action="role", username=lead.username, role="annotator")
    removed = people_post(as_lead, team, action="remove", username=lead.username, confirm="yes")

    for answer in (demoted, removed):
        assert answer.status_code == 400
        assert "You are the project&#x27;s last lead: make another member lead first" in answer.content.decode()
    assert role_of(team, lead) == Role.LEAD
    assert not AuditEvent.objects.filter(project=team).exists()


def test_with_a_second_lead_a_lead_may_step_down(as_lead: Client, team: Project, lead: User, reviewer: User) -> None:
    people_post(as_lead, team, action="role", username=reviewer.username, role="lead")

    answer = people_post(as_lead, team, action="role", username=lead.username, role="reviewer")

    assert answer.status_code == 302 and role_of(team, lead) == Role.REVIEWER
    with pytest.raises(people.PeopleRefused, match="rita-reviewer is the project's last lead"):
        people.change_role(project=team, member=reviewer, role="annotator", actor=lead)


# --- Removal


@pytest.fixture
def busy(annotator: User, lead: User) -> tuple[Project, Assignment, Assignment]:
    """The annotator submitted one task and has a second in hand."""
    project = claimable_project(annotators=[annotator], tasks=3, overlap=1, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    done = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(done)
    in_hand = queue.claim_next_assignment(project=project, annotator=annotator)
    return project, done, in_hand


def test_removal_asks_first_then_returns_the_work_in_hand_and_keeps_the_submitted(
    as_lead: Client, busy: tuple[Project, Assignment, Assignment], annotator: User, lead: User
) -> None:
    project, done, in_hand = busy

    asked = people_post(as_lead, project, action="remove", username=annotator.username)
    assert asked.status_code == 200 and "1 task they have in hand goes back to the queue" in asked.content.decode()
    assert role_of(project, annotator) == Role.ANNOTATOR

    removed = people_post(as_lead, project, action="remove", username=annotator.username, confirm="yes")

    assert removed.status_code == 302 and role_of(project, annotator) is None
    in_hand.refresh_from_db()
    done.refresh_from_db()
    assert in_hand.status == Assignment.Status.EXPIRED  # now, not at the next sweep
    assert Task.objects.get(pk=in_hand.task_id).taken == 0
    assert done.status == Assignment.Status.SUBMITTED and done.judgment.submitted_at is not None
    other = make_user("next-annotator")
    services.add_member(project=project, user=other, role=Role.ANNOTATOR)
    assert queue.claim_next_assignment(project=project, annotator=other).task_id == in_hand.task_id
    event = AuditEvent.objects.get(project=project, action="member.removed")
    assert (event.actor, event.target, event.changes) == (lead, annotator.username, {"role": ["annotator", None]})


def test_a_lead_who_removes_themselves_goes_to_their_projects(
    as_lead: Client, team: Project, lead: User, reviewer: User
) -> None:
    services.add_member(project=team, user=reviewer, role=Role.LEAD)

    answer = people_post(as_lead, team, action="remove", username=lead.username, confirm="yes")

    assert answer["Location"] == "/projects/" and role_of(team, lead) is None


# --- The members table


def test_the_table_shows_each_members_last_activity_in_this_project_only(
    as_lead: Client, team: Project, annotator: User, annotator2: User, reviewer: User
) -> None:
    assignment = queue.claim_next_assignment(project=team, annotator=annotator)
    heartbeats(annotator, assignment, 60, end=timezone.now() - dt.timedelta(hours=2))
    submit_judgment(assignment)
    elsewhere = claimable_project(annotators=[annotator2], tasks=1, overlap=1, min_tests=0)
    heartbeats(annotator2, queue.claim_next_assignment(project=elsewhere, annotator=annotator2), 60)

    rows = {m.user.username: m for m in people.members(team)}

    assert rows[annotator.username].last_activity == Assignment.objects.get(pk=assignment.pk).submitted_at
    assert rows[annotator2.username].last_activity is None
    assert rows[reviewer.username].role == Role.REVIEWER
    html = as_lead.get(f"/projects/{team.slug}/people/").content.decode()
    assert html.count("never") == 3  # annotator2, the reviewer and the lead


def test_the_page_lists_pending_invitations_but_not_spent_ones(as_lead: Client, team: Project, lead: User) -> None:
    people.invite_by_link(project=team, role="reviewer", days=1, max_uses=3, actor=lead)
    spent = people.invite_by_link(project=team, role="annotator", days=1, max_uses=1, actor=lead)
    Invite.objects.filter(pk=spent.invite.pk).update(uses=1)

    html = as_lead.get(f"/projects/{team.slug}/people/").content.decode()

    assert "0 of 3" in html and "1 of 1" not in html


# --- The API


def test_the_api_lists_adds_changes_and_removes_members(
    client: Client, team: Project, lead: User, outsider: User, staff: User
) -> None:
    base = f"/api/v1/projects/{team.slug}/members"

    listed = client.get(base, headers=api(lead)).json()
    added = client.post(base, {"username": outsider.username, "role": "reviewer"}, headers=api(staff))  # staff only
    again = client.post(base, {"username": outsider.username, "role": "reviewer"}, headers=api(staff))
    changed = client.patch(
        f"{base}/{outsider.username}", {"role": "annotator"}, content_type="application/json", headers=api(lead)
    )
    last = client.patch(
        f"{base}/{lead.username}", {"role": "annotator"}, content_type="application/json", headers=api(lead)
    )
    removed = client.delete(f"{base}/{outsider.username}", headers=api(lead))

    assert listed["count"] == 4 and {"username", "email", "role", "joined", "last_activity"} <= set(
        listed["results"][0]
    )
    assert added.status_code == 201 and added.json()["role"] == "reviewer"
    assert again.status_code == 400 and "already a member" in again.json()["detail"]
    assert changed.status_code == 200 and changed.json()["role"] == "annotator"
    assert last.status_code == 409 and "last lead" in last.json()["detail"]
    assert removed.status_code == 204 and role_of(team, outsider) is None
    assert client.delete(f"{base}/{outsider.username}", headers=api(lead)).status_code == 404
    actions = list(AuditEvent.objects.filter(project=team).order_by("id").values_list("action", flat=True))
    assert actions == ["member.added", "member.role_changed", "member.removed"]


def test_the_api_removal_returns_the_work_in_hand(
    client: Client, busy: tuple[Project, Assignment, Assignment], annotator: User, lead: User
) -> None:
    project, done, in_hand = busy

    client.delete(f"/api/v1/projects/{project.slug}/members/{annotator.username}", headers=api(lead))

    assert Assignment.objects.get(pk=in_hand.pk).status == Assignment.Status.EXPIRED
    assert Assignment.objects.get(pk=done.pk).status == Assignment.Status.SUBMITTED


def test_the_api_invites_by_email_or_link_and_revokes(client: Client, team: Project, lead: User) -> None:
    base = f"/api/v1/projects/{team.slug}/invites"

    by_email = client.post(
        base, {"emails": ["api@example.com"], "role": "reviewer"}, content_type="application/json", headers=api(lead)
    )
    by_link = client.post(
        base, {"role": "annotator", "days": 2, "max_uses": 5}, content_type="application/json", headers=api(lead)
    )
    bad = client.post(base, {"emails": ["nope"]}, content_type="application/json", headers=api(lead))

    assert by_email.status_code == 201 and by_email.json()["url"] is None and len(mail.outbox) == 1
    assert by_email.json()["invites"][0]["kind"] == "email"
    url = by_link.json()["url"]
    assert (
        by_link.status_code == 201
        and url.startswith("http://testserver/invite/")
        and by_link["Cache-Control"] == "no-store"
    )
    assert by_link.json()["invites"][0]["max_uses"] == 5
    assert bad.status_code == 400 and Invite.objects.count() == 2
    listed = client.get(base, headers=api(lead)).json()["results"]
    assert [i["state"] for i in listed] == ["pending", "pending"] and all("token" not in str(i) for i in listed)
    link_id = by_link.json()["invites"][0]["id"]
    assert client.delete(f"{base}/{link_id}", headers=api(lead)).status_code == 204
    assert Client().get(url.removeprefix("http://testserver")).status_code == 410
    assert client.get(base, headers=api(lead)).json()["results"][0]["state"] == "revoked"


def test_the_api_cannot_revoke_another_projects_invitation(
    client: Client, team: Project, other_project: Project, lead: User
) -> None:
    theirs = people.invite_by_link(project=other_project, role="annotator", days=1, max_uses=1, actor=None)

    answer = client.delete(f"/api/v1/projects/{team.slug}/invites/{theirs.invite.pk}", headers=api(lead))

    assert answer.status_code == 404 and Invite.objects.get(pk=theirs.invite.pk).revoked_at is None


def test_the_schema_documents_the_people_endpoints(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/projects/{slug}/members"])
    assert {"patch", "delete"} <= set(paths["/api/v1/projects/{slug}/members/{username}"])
    assert {"get", "post"} <= set(paths["/api/v1/projects/{slug}/invites"])
    assert "delete" in paths["/api/v1/projects/{slug}/invites/{invite_id}"]
