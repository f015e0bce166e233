from django.test import Client


def test_it_reports_database_and_broker_ok(client: Client, db: None) -> None:
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_it_answers_503_naming_the_broker_when_it_is_unreachable(client: Client, db: None, settings: object) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # type: ignore[attr-defined]  # nothing listens on port 9

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["database"] == "ok"
    assert answer.json()["broker"].startswith("error:")
