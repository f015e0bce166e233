"""Archive: read-only (no claims, no imports), hidden from annotators, listed for reviewers and leads,
and open again on unarchive. Duplicate: the settings, no tasks and no members but the duplicating lead."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annotation.models import Assignment
from annotation.projects import services
from annotation.work import queue
from tasks.importing import ImportRejected, import_tasks
from tasks.models import AuditEvent, Membership, Project, User
from tests.annotation.projects.conftest import RUBRIC, Api, grant_create
from tests.conftest import jsonl, task_line


def test_archiving_blocks_claims_with_a_clear_message(
    client: Client, creator: User, annotator: User, setup_project: Project
) -> None:
    client.force_login(creator)
    assert client.post(f"/projects/{setup_project.slug}/archive/").status_code == 302
    client.force_login(annotator)

    answer = client.post(f"/projects/{setup_project.slug}/start", follow=True)

    assert "Setup is archived: it takes no more work" in answer.content.decode()
    assert not Assignment.objects.filter(task__project=setup_project).exists()
    assert Api(client, annotator).post(f"projects/{setup_project.slug}/assignments/next").status_code == 204


def test_archiving_stops_even_work_in_hand_from_resuming(
    creator: User, annotator: User, setup_project: Project
) -> None:
    queue.claim_next_assignment(project=setup_project, annotator=annotator)
    services.archive_project(project=setup_project, actor=creator)

    with pytest.raises(queue.QueueEmpty, match="archived"):
        queue.claim_next_assignment(project=setup_project, annotator=annotator)


def test_archiving_blocks_imports_on_the_page_the_api_and_the_service(
    client: Client, creator: User, setup_project: Project
) -> None:
    services.archive_project(project=setup_project, actor=creator)
    expected = f'project "{setup_project.slug}" is archived: unarchive it (its settings page) to import'

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(project=setup_project, lines=[json.dumps(task_line("new"))])
    assert rejected.value.errors == [expected]
    api = Api(client, creator).client.post(
        f"/api/v1/projects/{setup_project.slug}/tasks/import",
        jsonl(task_line("new")),
        content_type="application/x-ndjson",
        headers=Api(client, creator).headers,
    )
    assert api.status_code == 400 and api.json()["errors"] == [expected]
    assert setup_project.tasks.count() == 2


def test_an_archived_project_is_hidden_from_annotators_only(
    client: Client, creator: User, reviewer: User, annotator: User, setup_project: Project
) -> None:
    services.archive_project(project=setup_project, actor=creator)

    client.force_login(annotator)
    assert "Setup" not in client.get("/projects/").content.decode()
    assert setup_project.slug not in [p["slug"] for p in Api(client, annotator).get("projects/").json()]
    for user in (reviewer, creator):
        client.force_login(user)
        html = client.get("/projects/").content.decode()
        assert "Setup" in html and "archived" in html


def test_unarchiving_opens_the_project_again_and_both_are_audited(
    client: Client, creator: User, annotator: User, setup_project: Project
) -> None:
    api = Api(client, creator)
    assert api.post(f"projects/{setup_project.slug}/archive").json()["archived_at"] is not None
    assert api.post(f"projects/{setup_project.slug}/unarchive").json()["archived_at"] is None

    assert queue.claim_next_assignment(project=setup_project, annotator=annotator).task.project == setup_project
    actions = list(AuditEvent.objects.filter(project=setup_project).values_list("action", flat=True))
    assert actions[:2] == ["project.unarchived", "project.archived"]
    archived = AuditEvent.objects.get(project=setup_project, action="project.archived")
    assert archived.changes["archived_at"][0] is None and archived.changes["archived_at"][1]


def test_archiving_twice_records_once(creator: User, setup_project: Project) -> None:
    services.archive_project(project=setup_project, actor=creator)
    services.archive_project(project=setup_project, actor=creator)

    assert AuditEvent.objects.filter(project=setup_project, action="project.archived").count() == 1


def test_duplicate_copies_the_settings_and_nothing_else(client: Client, creator: User, setup_project: Project) -> None:
    services.update_project(
        project=setup_project,
        actor=creator,
        values={"rubric": RUBRIC, "instructions": "Be careful.", "overlap": 3, "allowed_languages": ["python"]},
    )
    client.force_login(creator)

    answer = client.post(f"/projects/{setup_project.slug}/duplicate/", {"slug": "setup-2", "name": "Setup two"})

    assert answer.status_code == 302 and answer["Location"] == "/projects/setup-2/settings/"
    copy = Project.objects.get(slug="setup-2")
    assert copy.name == "Setup two"
    assert services.snapshot(copy) == {**services.snapshot(setup_project), "name": "Setup two"}
    assert copy.tasks.count() == 0 and copy.archived_at is None
    assert list(Membership.objects.filter(project=copy).values_list("user__username", "role")) == [
        (creator.username, "lead")
    ]
    assert AuditEvent.objects.filter(project=setup_project, action="project.duplicated", target="setup-2").exists()
    assert AuditEvent.objects.filter(project=copy, action="project.duplicated_from", target="setup").exists()


def test_duplicate_refuses_a_taken_slug(client: Client, creator: User, setup_project: Project) -> None:
    answer = Api(client, creator).post(f"projects/{setup_project.slug}/duplicate", {"slug": "setup", "name": "Again"})

    assert answer.status_code == 400 and "already exists" in answer.json()["slug"][0]


def test_a_lead_without_the_create_permission_cannot_duplicate(client: Client, lead: User, project: Project) -> None:
    client.force_login(lead)

    assert client.post(f"/projects/{project.slug}/duplicate/", {"slug": "d", "name": "D"}).status_code == 403
    assert Api(client, lead).post(f"projects/{project.slug}/duplicate", {"slug": "d", "name": "D"}).status_code == 403
    lead = grant_create(lead)
    assert Api(client, lead).post(f"projects/{project.slug}/duplicate", {"slug": "d", "name": "D"}).status_code == 201
