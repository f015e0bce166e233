"""Issue 11, finding 5: the body limit meant for imports applied to every endpoint, logins and the token
endpoint took any number of guesses, and list endpoints returned any number of rows."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.utils import timezone

from exporters.models import ExportJob
from tasks.importing import import_tasks
from tasks.models import Project, User
from tests.conftest import jsonl, task_line
from tests.security.conftest import token_header

MiB = 1024 * 1024


def declared_only(client: Client, path: str, length: int, content_type: str):
    """A POST that announces `length` bytes but sends a handful: if the server tried to read what it was
    told, Django's test payload would raise, so a 413 here proves nothing was read."""
    return client.generic("POST", path, b"x=1", content_type=content_type, CONTENT_LENGTH=str(length))


def test_an_anonymous_150_mib_login_post_is_refused_before_it_is_read() -> None:
    client = Client(enforce_csrf_checks=True)  # as in production: the CSRF check reads the body first

    answer = declared_only(client, "/accounts/login/", 150 * MiB, "application/x-www-form-urlencoded")

    assert answer.status_code == 413
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in answer.content.decode()


def test_a_multipart_upload_anywhere_but_the_imports_never_reaches_a_temporary_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_temp_file(*args: object, **kwargs: object) -> None:
        raise AssertionError("an anonymous upload was being written to a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_temp_file)
    blob = SimpleUploadedFile("big.bin", b"\0" * (6 * MiB))

    answer = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y", "file": blob})

    assert answer.status_code == 413


def test_an_api_json_body_over_the_limit_gets_a_json_413(client: Client) -> None:
    body = json.dumps({"username": "x", "password": "y" * (3 * MiB)})

    answer = client.post("/api/v1/auth/token", body, content_type="application/json")

    assert answer.status_code == 413
    assert "2,621,440 bytes (DATA_UPLOAD_MAX_MEMORY_SIZE)" in answer.json()["detail"]


def test_an_anonymous_upload_to_the_import_page_gets_the_general_limit(project: Project) -> None:
    client = Client(enforce_csrf_checks=True)  # as in production: the CSRF check reads the body first

    answer = declared_only(client, f"/projects/{project.slug}/import/", 50 * MiB, "multipart/form-data; boundary=b")

    assert answer.status_code == 413


def test_a_lead_upload_over_the_import_cap_is_refused_unread_naming_the_setting(
    client: Client, lead: User, project: Project, settings
) -> None:
    settings.IMPORT_MAX_FILE_BYTES = 10 * MiB
    client.force_login(lead)

    answer = declared_only(client, f"/projects/{project.slug}/import/", 11 * MiB, "multipart/form-data; boundary=b")

    assert answer.status_code == 413
    assert "10,485,760 bytes (IMPORT_MAX_FILE_BYTES)" in answer.content.decode()


def test_the_import_api_still_takes_a_body_over_the_general_limit(client: Client, lead: User, project: Project) -> None:
    code = "def f():\n    return 1\n" + "# padding\n" * 6000  # about 60 KB, under IMPORT_MAX_CODE_BYTES
    body = jsonl(
        *(task_line(f"big-{i}", responses=[{"model": f"m{j}", "code": code} for j in range(2)]) for i in range(25))
    )
    assert len(body) > 3 * MiB

    answer = client.post(
        f"/api/v1/projects/{project.slug}/tasks/import?dry_run=1",
        body,
        content_type="application/x-ndjson",
        headers=token_header(lead),
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["checked"] == 25


def test_the_import_page_still_takes_a_file_over_the_general_limit(
    client: Client, lead: User, project: Project
) -> None:
    code = "def f():\n    return 1\n" + "# padding\n" * 6000
    body = jsonl(
        *(task_line(f"big-{i}", responses=[{"model": f"m{j}", "code": code} for j in range(2)]) for i in range(25))
    )
    client.force_login(lead)

    answer = client.post(f"/projects/{project.slug}/import/", {"file": SimpleUploadedFile("tasks.jsonl", body)})

    assert answer.status_code == 200, answer.content.decode()[:500]
    assert "25 tasks ready to import" in answer.content.decode()


# --- Throttles: the token endpoint and heartbeats (DRF), login (django-axes)


def test_the_token_endpoint_is_throttled_per_address(client: Client, annotator: User, settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-auth-token": "3/min"}
    wrong = {"username": "nobody", "password": "wrong"}

    answers = [client.post("/api/v1/auth/token", wrong) for _ in range(4)]

    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert "Retry-After" in answers[-1]
    assert "throttled" in answers[-1].json()["detail"]


def test_api_heartbeats_are_throttled_per_user(client: Client, annotator: User, settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-heartbeat": "2/min"}
    headers = token_header(annotator)

    codes = [
        client.post(
            "/api/v1/heartbeat", {"tab": "t", "seq": seq}, content_type="application/json", headers=headers
        ).status_code
        for seq in (1, 2, 3)
    ]

    assert codes == [200, 200, 429]


def test_page_heartbeats_are_throttled_per_user_too(client: Client, annotator: User, settings) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "heartbeat": "2/min"}
    client.force_login(annotator)

    codes = [client.post("/work/heartbeat", {"tab": "t", "seq": seq}).status_code for seq in (1, 2, 3)]

    assert codes == [200, 200, 429]


def login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_after_the_failure_limit_even_the_right_password_is_refused(client: Client, annotator: User, settings) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    failures = [login(client, annotator.username, "wrong").status_code for _ in range(limit)]

    locked = login(client, annotator.username, "ann-annotator-pw")

    assert failures == [200] * (limit - 1) + [429]  # the attempt that reaches the limit is told at once

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address(client: Client, annotator: User, annotator2: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, annotator.username, "wrong")

    other_user = login(client, annotator2.username, "bob-annotator-pw")
    client.logout()
    other_address = login(client, annotator.username, "ann-annotator-pw", address="198.51.100.9")

    assert other_user.status_code == 302
    assert other_address.status_code == 302


def test_a_successful_login_resets_the_count(client: Client, annotator: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, annotator.username, "wrong")
    assert login(client, annotator.username, "ann-annotator-pw").status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, annotator.username, "wrong")

    assert login(client, annotator.username, "ann-annotator-pw").status_code == 302


def test_the_token_endpoint_locks_out_too_with_a_json_message(client: Client, annotator: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token", {"username": annotator.username, "password": "wrong"})

    locked = client.post("/api/v1/auth/token", {"username": annotator.username, "password": "ann-annotator-pw"})

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]


# --- Page sizes


def test_the_task_list_caps_the_page_size(client: Client, reviewer: User, project: Project, settings) -> None:
    settings.API_MAX_PAGE_SIZE = 5
    import_tasks(project=project, lines=[json.dumps(task_line(f"t{i}")) for i in range(8)])

    page = client.get(f"/api/v1/projects/{project.slug}/tasks/?limit=100000", headers=token_header(reviewer)).json()

    assert page["count"] == 8
    assert len(page["results"]) == 5
    assert "limit=5" in page["next"]


def test_the_exports_list_is_paged_and_capped(client: Client, lead: User, project: Project, settings) -> None:
    settings.API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        ExportJob.objects.create(project=project, created_by=lead, format="dpo", cutoff=timezone.now())

    page = client.get(f"/api/v1/projects/{project.slug}/exports?limit=50", headers=token_header(lead)).json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["results"][0]["id"] > page["results"][1]["id"]  # newest first, as before


@pytest.mark.parametrize(
    ("who", "tasks", "exports"),
    [("lead", 200, 200), ("reviewer", 200, 403), ("annotator", 403, 403), ("outsider", 404, 404), (None, 401, 401)],
)
def test_who_may_list_tasks_and_exports(client: Client, project: Project, request, who, tasks, exports) -> None:
    headers = token_header(request.getfixturevalue(who)) if who else {}

    got = (
        client.get(f"/api/v1/projects/{project.slug}/tasks/", headers=headers).status_code,
        client.get(f"/api/v1/projects/{project.slug}/exports", headers=headers).status_code,
    )

    assert got == (tasks, exports)
