from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client


def test_it_reports_database_broker_and_static_files_ok(client: Client, db: None) -> None:
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok", "static": "ok"}


def test_it_answers_503_naming_the_broker_when_it_is_unreachable(client: Client, db: None, settings: object) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # type: ignore[attr-defined]  # nothing listens on port 9

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["database"] == "ok"
    assert answer.json()["broker"].startswith("error:")


PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_without_collected_static_files_in_production_it_is_unhealthy(
    client: Client, db: None, settings: object, tmp_path: Path
) -> None:
    """DEBUG=0 and no collectstatic: every page would answer 500, so /healthz must not say healthy."""
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.STORAGES = PRODUCTION_STATIC  # type: ignore[attr-defined]
    settings.STATIC_ROOT = tmp_path / "static"  # type: ignore[attr-defined]

    missing = client.get("/healthz")
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = client.get("/healthz")

    assert missing.status_code == 503 and "collectstatic" in missing.json()["static"]
    assert collected.status_code == 200 and collected.json()["static"] == "ok"


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite file check")
def test_a_missing_sqlite_file_is_unhealthy(client: Client, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/var/db.sqlite3")

    answer = client.get("/healthz")

    assert answer.status_code == 503 and "db.sqlite3 is missing" in answer.json()["database"]


def test_ping_reads_nothing_from_the_database_even_for_a_signed_in_user(
    client: Client, django_user_model, django_assert_num_queries
) -> None:
    """Liveness and the load benchmark's baseline: the body-size check used to read the session's user
    on every request, so a signed-in ping ran the user query."""
    client.force_login(django_user_model.objects.create_user("pinger", password="x" * 12))

    with django_assert_num_queries(0):
        answer = client.get("/ping")

    assert answer.status_code == 200 and answer.content == b"pong"
