"""Odd input gets a clean 4xx that names the field, never a 500 or a stuck job (issue 11, finding 6).

The timesheet's inputs are in tests/annotation/timesheets/test_odd_input.py. Regression tests that
already existed elsewhere: the exports page's min_agreement=abc and a bad export date
(tests/exporters/test_export_options.py, BAD), a timesheet ?week= it cannot show
(tests/annotation/timesheets/test_timesheets.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from exporters.models import ExportJob
from sandbox import workers
from tasks import services
from tasks.models import Project, RankingMode, Task, User
from tests.conftest import claimable_project, jsonl, task_line

SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no


def token(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def import_api(client: Client, lead: User, project: Project, body: bytes, query: str = "") -> Any:
    return client.post(
        f"/api/v1/projects/{project.slug}/tasks/import{query}",
        body,
        content_type="application/x-ndjson",
        headers=token(lead),
    )


@pytest.fixture
def ranking(lead: User) -> Project:
    return services.create_project(slug="odd", name="Odd", lead=lead, ranking_mode=RankingMode.RANKING)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_an_import_line_nested_a_thousand_deep_is_a_line_error_not_a_500(
    client: Client, lead: User, ranking: Project
) -> None:
    """Finding 6: json.loads raised RecursionError, which nothing caught."""
    line = '{"id": "deep", "metadata": {"x": ' + nested(1000) + "}}"

    answer = import_api(client, lead, ranking, jsonl(task_line("ok"), line))

    assert answer.status_code == 400
    assert answer.json()["errors"] == ["line 2: invalid JSON: nested too deeply (arrays or objects inside each other)"]
    assert not Task.objects.exists()


def test_metadata_nested_deeper_than_the_limit_is_refused_by_name(client: Client, lead: User, ranking: Project) -> None:
    """Nesting that json.loads survives (a few hundred levels) still breaks what recurses over it later
    (exports, the task page): the import takes 32 levels of metadata."""
    deep: Any = {"leaf": 1}
    for _ in range(40):
        deep = {"x": deep}
    fine: Any = {"leaf": 1}
    for _ in range(31):
        fine = {"x": fine}

    answer = import_api(
        client, lead, ranking, jsonl(task_line("deep", metadata=deep), task_line("fine", metadata=fine))
    )

    assert answer.status_code == 400
    assert answer.json()["errors"] == ['line 1: "metadata" is nested more than 32 levels deep']


def test_an_import_body_over_the_limit_is_a_413_naming_the_setting(
    client: Client, lead: User, ranking: Project, settings: Any
) -> None:
    settings.IMPORT_MAX_FILE_BYTES = 1000
    body = jsonl(*(task_line(f"t{i}") for i in range(20)))

    answer = import_api(client, lead, ranking, body, "?dry_run=1")

    assert answer.status_code == 413
    assert "IMPORT_MAX_FILE_BYTES" in answer.json()["detail"]


@pytest.mark.parametrize("since", [SUPERSCRIPT_TWO, "٣", "0", "-1", "1.0"])
def test_an_export_since_that_is_not_plain_digits_is_refused_by_name(
    client: Client, lead: User, ranking: Project, since: str
) -> None:
    """Finding 6: "²".isdigit() is True and int("²") a ValueError, a 500 on the page and the API."""
    client.force_login(lead)

    page = client.post(f"/projects/{ranking.slug}/exports/", {"format": "dpo", "since": since})
    api = client.post(
        f"/api/v1/projects/{ranking.slug}/exports",
        json.dumps({"format": "dpo", "since": since}),
        content_type="application/json",
        headers=token(lead),
    )

    assert (page.status_code, api.status_code) == (400, 400)
    assert "since is the id of an earlier export" in page.content.decode()
    assert api.json()["detail"].startswith("since is the id of an earlier export")
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("assignment", [SUPERSCRIPT_TWO, "1e3", "abc"])
def test_a_heartbeat_for_an_assignment_id_that_is_not_plain_digits_is_a_400_naming_it(
    client: Client, annotator: User, assignment: str
) -> None:
    claimable_project(annotators=[annotator])
    client.force_login(annotator)

    page = client.post("/work/heartbeat", {"assignment": assignment, "tab": "t", "seq": 1})
    api = client.post(
        "/api/v1/heartbeat",
        json.dumps({"assignment": assignment, "tab": "t", "seq": 1}),
        content_type="application/json",
        headers=token(annotator),
    )

    assert (page.status_code, api.status_code) == (400, 400)
    assert "assignment" in page.json()["errors"] and "assignment" in api.json()


def test_a_worker_name_with_a_superscript_pid_is_not_taken_for_a_pid() -> None:
    """The reaper asked is_alive() about such a name and died on int("²")."""
    import socket

    assert workers.is_alive(f"{socket.gethostname()}:{SUPERSCRIPT_TWO}") is True
