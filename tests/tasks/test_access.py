"""Nobody sees a project they are not a member of; roles decide what members may do."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tasks.importing import import_tasks
from tasks.models import Project, User
from tests.conftest import jsonl, task_line


@pytest.fixture
def imported(project: Project) -> Project:
    import_tasks(project=project, lines=jsonl(task_line("t1")).split(b"\n"))
    return project


def api_get(client: Client, user: User, path: str) -> int:
    token = Token.objects.get_or_create(user=user)[0].key
    return client.get(path, HTTP_AUTHORIZATION=f"Token {token}").status_code


PAGES = ["/projects/{slug}/", "/projects/{slug}/tasks/t1/", "/projects/{slug}/import/"]
API = ["/api/v1/projects/{slug}/", "/api/v1/projects/{slug}/tasks/"]


def test_an_outsider_gets_404_on_every_page_and_api_path(client: Client, outsider: User, imported: Project) -> None:
    client.force_login(outsider)

    assert [client.get(p.format(slug=imported.slug)).status_code for p in PAGES] == [404, 404, 404]
    assert [api_get(client, outsider, p.format(slug=imported.slug)) for p in API] == [404, 404]


def test_an_annotator_sees_the_project_but_not_the_task_list(
    client: Client, annotator: User, imported: Project
) -> None:
    client.force_login(annotator)

    assert [client.get(p.format(slug=imported.slug)).status_code for p in PAGES] == [200, 403, 403]
    assert [api_get(client, annotator, p.format(slug=imported.slug)) for p in API] == [200, 403]


def test_a_reviewer_browses_tasks_but_cannot_import(client: Client, reviewer: User, imported: Project) -> None:
    client.force_login(reviewer)

    assert [client.get(p.format(slug=imported.slug)).status_code for p in PAGES] == [200, 200, 403]


def test_staff_may_open_any_project(client: Client, staff: User, imported: Project, other_project: Project) -> None:
    client.force_login(staff)

    assert client.get(f"/projects/{other_project.slug}/").status_code == 200
    assert [client.get(p.format(slug=imported.slug)).status_code for p in PAGES] == [200, 200, 200]


def test_the_project_list_shows_only_member_projects_with_roles(
    client: Client, annotator: User, project: Project, other_project: Project
) -> None:
    client.force_login(annotator)

    page = client.get("/projects/").content.decode()
    listed = [item["slug"] for item in client.get("/api/v1/projects/").json()]

    assert "Python ranking" in page and "you are <strong>annotator</strong>" in page
    assert "Secret JS" not in page
    assert listed == ["py-rank"]


def test_pages_need_a_login(client: Client, project: Project) -> None:
    answer = client.get(f"/projects/{project.slug}/")

    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
