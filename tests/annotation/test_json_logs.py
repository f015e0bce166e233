"""Production settings log a JSON line per request and per job, with the ids to follow them by."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.test import Client

from annotation.jobs import ping
from annotation.ops.logs import JsonFormatter, request_id
from tasks.models import User

ROOT = Path(__file__).resolve().parents[2]


def lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, object]]:
    """The captured records of `logger`, formatted as production formats them, and parsed back."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_id_view_status_time_and_user(
    client: Client, annotator: User, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(annotator)
    with caplog.at_level(logging.INFO, logger="annotation.requests"):
        answer = client.get("/projects/", HTTP_X_REQUEST_ID="proxy-abc.123")
        client.get("/projects/no-such-project/")

    first, second = lines(caplog, "annotation.requests")
    assert answer["X-Request-ID"] == "proxy-abc.123" == first["request_id"]  # a proxy's id is kept and echoed
    assert (first["method"], first["view"], first["path"], first["status"]) == (
        "GET",
        "project-list",
        "/projects/",
        200,
    )
    assert first["user_id"] == annotator.pk and isinstance(first["duration_ms"], float)
    assert second["status"] == 404 and second["request_id"] != first["request_id"]


def test_a_request_id_from_outside_is_kept_only_when_it_is_a_plain_token() -> None:
    """Catches a header value copied into the logs and the answer as is (a forged line, a header split)."""
    assert request_id("abc-123_X.y") == "abc-123_X.y"
    for hostile in ('x"}\n{"level": "CRITICAL', "a" * 65, "", None, "<script>"):
        made = request_id(hostile)
        assert made != hostile and len(made) == 32 and made.isalnum()


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="annotation.requests"):
        assert client.get("/ping").status_code == 200

    (line,) = lines(caplog, "annotation.requests")
    assert line["view"] == "ping" and line["user_id"] is None


@pytest.mark.django_db
def test_each_job_logs_a_line_with_its_name_id_state_and_arguments(
    caplog: pytest.LogCaptureFixture, lead: User
) -> None:
    from tasks import services

    project = services.create_project(slug="logs-p", name="Logs")
    with caplog.at_level(logging.INFO, logger="annotation.jobs"):
        result = ping.apply(args=(project.slug,))

    (line,) = [entry for entry in lines(caplog, "annotation.jobs") if entry["job"] == "annotation.jobs.ping"]
    assert line["job_id"] == result.id and line["state"] == "succeeded"
    assert line["job_args"] == ["logs-p"] and isinstance(line["duration_ms"], float)


@shared_task(name="tests.annotation.boom")
def boom(n: int) -> None:
    raise ValueError(f"boom {n}")


def test_a_failed_job_logs_its_failure_with_the_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="annotation.jobs"):
        result = boom.apply(args=(7,))

    assert result.failed()
    found = [entry for entry in lines(caplog, "annotation.jobs") if entry["job"] == "tests.annotation.boom"]
    assert {entry.get("state") for entry in found} >= {"failed"}
    assert any(entry.get("error") == "boom 7" and entry["job_id"] == result.id for entry in found)
    assert all(entry["level"] == "WARNING" for entry in found if entry.get("state") == "failed")


def test_production_settings_write_json_lines_to_the_console(tmp_path: Path) -> None:
    """Catches the formatter wired only in tests: a real process with DEBUG=0 prints a parseable line
    for its request, and DEBUG's console keeps plain text."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "Client().get('/ping', HTTP_HOST='127.0.0.1')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "annotation.settings",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "PSEUDONYM_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "INFO",
    }
    env.pop("LOG_FORMAT", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    parsed = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    requests = [p for p in parsed if p.get("logger") == "annotation.requests"]
    assert requests and requests[-1]["view"] == "ping" and requests[-1]["status"] == 200, done.stderr[-2000:]
