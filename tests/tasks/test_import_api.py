"""POST /api/v1/projects/{slug}/tasks/import with a token: the same service, JSON answers."""

from django.test import Client
from rest_framework.authtoken.models import Token

from tasks.models import Project, Task, User
from tests.conftest import jsonl, task_line


def post(client: Client, user: User | None, slug: str, body: bytes, query: str = ""):
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}
    return client.post(
        f"/api/v1/projects/{slug}/tasks/import{query}", body, content_type="application/x-ndjson", headers=headers
    )


def test_it_imports_with_a_token(client: Client, lead: User, project: Project) -> None:
    answer = post(client, lead, project.slug, jsonl(task_line("a"), task_line("b")))

    assert answer.status_code == 201
    assert answer.json() == {"project": "py-rank", "imported": 2, "checked": 2, "dry_run": False}
    assert Task.objects.filter(project=project).count() == 2


def test_it_returns_line_errors_and_writes_nothing(client: Client, lead: User, project: Project) -> None:
    answer = post(client, lead, project.slug, jsonl(task_line("a"), task_line("a")))

    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "import rejected: 1 error(s), nothing was written",
        "errors": ['line 2: duplicate id "a" (first seen on line 1)'],
        "error_count": 1,
    }
    assert Task.objects.count() == 0


def test_a_dry_run_writes_nothing(client: Client, lead: User, project: Project) -> None:
    answer = post(client, lead, project.slug, jsonl(task_line("a")), "?dry_run=1")

    assert (answer.status_code, answer.json()["checked"], Task.objects.count()) == (200, 1, 0)


def test_it_needs_authentication(client: Client, project: Project) -> None:
    assert post(client, None, project.slug, jsonl(task_line("a"))).status_code == 401


def test_annotators_get_403_and_outsiders_404(
    client: Client, annotator: User, outsider: User, project: Project
) -> None:
    assert post(client, annotator, project.slug, jsonl(task_line("a"))).status_code == 403
    assert post(client, outsider, project.slug, jsonl(task_line("a"))).status_code == 404
    assert Task.objects.count() == 0


def test_a_session_without_csrf_token_cannot_import(lead: User, project: Project) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)

    answer = client.post(
        f"/api/v1/projects/{project.slug}/tasks/import", jsonl(task_line("a")), content_type="application/x-ndjson"
    )

    assert answer.status_code == 403
    assert Task.objects.count() == 0
