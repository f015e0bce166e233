"""Task flags (issue 12, part 3): an annotator flags a task instead of judging it; the lead re-releases or
retires it; the dashboard counts the open flags."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, TaskFlag
from annotation.work import queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project


@pytest.fixture
def flagged_project(lead: User, reviewer: User, annotator: User, annotator2: User) -> Project:
    """One task, room for two annotators, so whether annotator2 is offered it shows whether it is held."""
    project = claimable_project(tasks=1, overlap=2, annotators=[annotator, annotator2])
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    return project


def _api(client: Client, user: User, path: str, body: dict) -> Any:
    token = Token.objects.get_or_create(user=user)[0].key
    return client.post(
        f"/api/v1/{path}", body, content_type="application/json", headers={"Authorization": f"Token {token}"}
    )


def _flag(project: Project, annotator: User, reason: str = "truncated", note: str = "") -> TaskFlag:
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    return queue.flag_task(assignment=assignment, reason=reason, note=note)


def test_flag_from_the_page_ends_the_assignment_and_holds_the_task(
    client: Client, flagged_project: Project, annotator: User, annotator2: User
) -> None:
    assignment = queue.claim_next_assignment(project=flagged_project, annotator=annotator)
    client.force_login(annotator)
    page = client.get(reverse("workspace", args=[assignment.pk]))
    assert b"Flag this task" in page.content and b'value="contradictory"' in page.content
    response = client.post(
        reverse("workspace-flag", args=[assignment.pk]), {"reason": "contradictory", "note": "x vs y"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SKIPPED
    flag = TaskFlag.objects.get()
    assert (flag.task_id, flag.annotator, flag.reason, flag.note) == (
        assignment.task_id,
        annotator,
        "contradictory",
        "x vs y",
    )
    with pytest.raises(queue.QueueEmpty):  # held from the queue until the lead acts
        queue.claim_next_assignment(project=flagged_project, annotator=annotator2)


def test_flag_through_the_api(client: Client, flagged_project: Project, annotator: User) -> None:
    assignment = queue.claim_next_assignment(project=flagged_project, annotator=annotator)
    response = _api(client, annotator, f"assignments/{assignment.pk}/flag", {"reason": "identical"})
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "identical"
    assert TaskFlag.objects.filter(assignment=assignment, resolved_at__isnull=True).exists()
    again = _api(client, annotator, f"assignments/{assignment.pk}/flag", {"reason": "identical"})
    assert again.status_code == 409 and "no longer active" in again.json()["detail"]


def test_other_without_a_note_is_refused_naming_the_field(
    client: Client, flagged_project: Project, annotator: User
) -> None:
    assignment = queue.claim_next_assignment(project=flagged_project, annotator=annotator)
    response = _api(client, annotator, f"assignments/{assignment.pk}/flag", {"reason": "other", "note": "  "})
    assert response.status_code == 409 and response.json()["detail"].startswith("note:")
    client.force_login(annotator)
    page = client.post(reverse("workspace-flag", args=[assignment.pk]), {"reason": "other"}, follow=True)
    assert b"Not flagged: note:" in page.content
    bad = _api(client, annotator, f"assignments/{assignment.pk}/flag", {"reason": "boring"})
    assert bad.status_code == 400 and "reason" in bad.json()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE and not TaskFlag.objects.exists()


def test_the_lead_sees_the_flag_and_re_release_makes_the_task_claimable(
    client: Client, flagged_project: Project, lead: User, annotator: User, annotator2: User
) -> None:
    flag = _flag(flagged_project, annotator, reason="other", note="needs the private API docs")
    client.force_login(lead)
    page = client.get(reverse("task-flags", args=[flagged_project.slug]))
    assert page.status_code == 200
    for text in (
        flag.task.external_id,
        "Other (say what in the note)",
        "needs the private API docs",
        annotator.username,
    ):
        assert text.encode() in page.content
    dashboard = client.get(reverse("dashboard", args=[flagged_project.slug]))
    assert dashboard.context["d"].open_flags == 1
    response = client.post(
        reverse("task-flags", args=[flagged_project.slug]), {"task": flag.task.external_id, "action": "release"}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolution == TaskFlag.Resolution.RELEASED and flag.resolved_at is not None
    assert queue.claim_next_assignment(project=flagged_project, annotator=annotator2).task_id == flag.task_id
    assert b"No open flags." in client.get(reverse("task-flags", args=[flagged_project.slug])).content


def test_retire_means_never_offered_again(
    client: Client, flagged_project: Project, lead: User, annotator: User, annotator2: User
) -> None:
    flag = _flag(flagged_project, annotator)
    client.force_login(lead)
    client.post(reverse("task-flags", args=[flagged_project.slug]), {"task": flag.task.external_id, "action": "retire"})
    flag.refresh_from_db()
    flag.task.refresh_from_db()
    assert flag.resolution == TaskFlag.Resolution.RETIRED and flag.task.retired_at is not None
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=flagged_project, annotator=annotator2)


def test_a_retired_task_whose_lease_lapsed_is_not_picked_up_again(flagged_project: Project, annotator: User) -> None:
    assignment = queue.claim_next_assignment(project=flagged_project, annotator=annotator)
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.EXPIRED)
    queue.recount([assignment.task_id])
    queue.retire_task(task=assignment.task)
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=flagged_project, annotator=annotator)


def test_unknown_action_or_task_is_refused(
    client: Client, flagged_project: Project, lead: User, annotator: User
) -> None:
    flag = _flag(flagged_project, annotator)
    client.force_login(lead)
    url = reverse("task-flags", args=[flagged_project.slug])
    assert b"action must be" in client.post(url, {"task": flag.task.external_id, "action": "x"}, follow=True).content
    assert b"task is not a task" in client.post(url, {"task": "nope", "action": "retire"}, follow=True).content
    flag.refresh_from_db()
    assert flag.resolved_at is None


def test_dashboard_api_counts_open_flags(client: Client, flagged_project: Project, lead: User, annotator: User) -> None:
    _flag(flagged_project, annotator)
    token = Token.objects.get_or_create(user=lead)[0].key
    response = client.get(
        f"/api/v1/projects/{flagged_project.slug}/dashboard", headers={"Authorization": f"Token {token}"}
    )
    assert response.status_code == 200 and response.json()["open_flags"] == 1


@pytest.mark.parametrize(
    ("persona", "expected"), [("annotator", 403), ("reviewer", 403), ("outsider", 404), ("lead", 200)]
)
def test_flags_page_authorization(
    client: Client, flagged_project: Project, persona: str, expected: int, request: pytest.FixtureRequest
) -> None:
    flag = _flag(flagged_project, request.getfixturevalue("annotator2"))
    client.force_login(request.getfixturevalue(persona))
    url = reverse("task-flags", args=[flagged_project.slug])
    assert client.get(url).status_code == expected
    posted = client.post(url, {"task": flag.task.external_id, "action": "retire"})
    assert posted.status_code == (302 if persona == "lead" else expected)
    flag.refresh_from_db()
    assert (flag.resolved_at is not None) == (persona == "lead")


@pytest.mark.parametrize(("persona", "link"), [("reviewer", False), ("lead", True)])
def test_the_dashboard_links_the_flags_page_only_for_whoever_may_open_it(
    client: Client, flagged_project: Project, persona: str, link: bool, request: pytest.FixtureRequest
) -> None:
    _flag(flagged_project, request.getfixturevalue("annotator2"))
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("dashboard", args=[flagged_project.slug])).content.decode()
    assert "1</strong> open task flag" in html  # both see the count
    assert (reverse("task-flags", args=[flagged_project.slug]) in html) is link


def test_flags_page_anonymous_redirects_to_login(client: Client, flagged_project: Project) -> None:
    response = client.get(reverse("task-flags", args=[flagged_project.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_flags_someone_elses_assignment(
    client: Client, flagged_project: Project, annotator: User, annotator2: User, lead: User
) -> None:
    assignment = queue.claim_next_assignment(project=flagged_project, annotator=annotator)
    for user in (annotator2, lead):
        assert _api(client, user, f"assignments/{assignment.pk}/flag", {"reason": "truncated"}).status_code == 404
        client.force_login(user)
        assert client.post(reverse("workspace-flag", args=[assignment.pk]), {"reason": "truncated"}).status_code == 404
    assert not TaskFlag.objects.exists()


def _token_get(client: Client, user: User, path: str) -> Any:
    token, _ = Token.objects.get_or_create(user=user)
    return client.get(path, headers={"Authorization": f"Token {token.key}"})


def test_the_flags_api_lists_open_flags_then_resolved_ones(
    client: Client, flagged_project: Project, lead: User, annotator2: User
) -> None:
    """Catches a listing that ignores the state, or leaks another project's flags."""
    flag = _flag(flagged_project, annotator2, reason="other", note="<script>x</script> the spec is cut")
    other = services.create_project(slug="elsewhere", name="Elsewhere")
    services.add_member(project=other, user=lead, role=Role.LEAD)
    url = f"/api/v1/projects/{flagged_project.slug}/flags"

    listed = _token_get(client, lead, url).json()
    assert [(f["task"], f["reason"], f["note"], f["resolution"]) for f in listed] == [
        (flag.task.external_id, "other", "<script>x</script> the spec is cut", "")
    ]
    assert _token_get(client, lead, url + "?state=resolved").json() == []

    token = Token.objects.get(user=lead)
    auth = {"Authorization": f"Token {token.key}"}
    done = client.post(
        url, {"task": flag.task.external_id, "action": "retire"}, content_type="application/json", headers=auth
    )
    assert done.status_code == 200 and [f["resolution"] for f in done.json()] == ["retired"]
    assert _token_get(client, lead, url).json() == []
    assert [f["id"] for f in _token_get(client, lead, url + "?state=resolved").json()] == [flag.pk]
    assert _token_get(client, lead, url + "?state=sideways").status_code == 400
    assert _token_get(client, lead, f"/api/v1/projects/{other.slug}/flags?state=all").json() == []


@pytest.mark.parametrize(
    ("persona", "expected"), [("annotator", 403), ("reviewer", 403), ("outsider", 404), ("lead", 200)]
)
def test_flags_api_authorization(
    client: Client, flagged_project: Project, persona: str, expected: int, request: pytest.FixtureRequest
) -> None:
    _flag(flagged_project, request.getfixturevalue("annotator2"))
    answer = _token_get(client, request.getfixturevalue(persona), f"/api/v1/projects/{flagged_project.slug}/flags")
    assert answer.status_code == expected
