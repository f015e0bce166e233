"""The leads' upload page: check, preview or error list, confirm."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tasks.models import Project, Task, User
from tests.conftest import jsonl, task_line


def upload(client: Client, project: Project, body: bytes):
    return client.post(f"/projects/{project.slug}/import/", {"file": SimpleUploadedFile("tasks.jsonl", body)})


def test_it_shows_the_exact_line_error_and_writes_nothing(client: Client, lead: User, project: Project) -> None:
    client.force_login(lead)

    page = upload(client, project, jsonl(task_line("a"), task_line("b", language="cobol")))

    assert page.status_code == 400
    assert "line 2: unknown language &quot;cobol&quot; (supported: javascript, python)" in page.content.decode()
    assert Task.objects.count() == 0


def test_it_previews_then_imports_on_confirm(client: Client, lead: User, project: Project) -> None:
    client.force_login(lead)

    preview = upload(client, project, jsonl(task_line("a"), task_line("b")))

    assert preview.status_code == 200
    assert "2 tasks ready to import" in preview.content.decode()
    assert Task.objects.count() == 0
    staged = preview.context["staged"]
    done = client.post(f"/projects/{project.slug}/import/confirm/", {"staged": staged}, follow=True)
    assert "Imported 2 tasks into Python ranking." in done.content.decode()
    assert sorted(Task.objects.values_list("external_id", flat=True)) == ["a", "b"]


def test_a_confirm_cannot_be_replayed(client: Client, lead: User, project: Project) -> None:
    client.force_login(lead)
    staged = upload(client, project, jsonl(task_line("a"))).context["staged"]
    client.post(f"/projects/{project.slug}/import/confirm/", {"staged": staged})

    again = client.post(f"/projects/{project.slug}/import/confirm/", {"staged": staged}, follow=True)

    assert "no longer waiting to be imported" in again.content.decode()
    assert Task.objects.count() == 1


def test_annotators_and_reviewers_cannot_import(
    client: Client, annotator: User, reviewer: User, project: Project
) -> None:
    for user in (annotator, reviewer):
        client.force_login(user)
        assert client.get(f"/projects/{project.slug}/import/").status_code == 403
        assert upload(client, project, jsonl(task_line("a"))).status_code == 403
    assert Task.objects.count() == 0


def test_an_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)

    assert client.get(f"/projects/{project.slug}/import/").status_code == 404


def test_the_upload_needs_a_csrf_token(lead: User, project: Project) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)

    assert upload(client, project, jsonl(task_line("a"))).status_code == 403
