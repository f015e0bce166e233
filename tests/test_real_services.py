"""In CI (REQUIRE_REAL_SERVICES=1) the suite must be running on PostgreSQL, Redis and a Docker engine."""

import docker
import pytest
from django.conf import settings
from django.db import connection

from annotation.celery import check_broker
from tests.conftest import need_real


@pytest.mark.django_db
def test_the_database_is_postgresql() -> None:
    if connection.vendor != "postgresql":
        need_real(
            "PostgreSQL", f"the suite runs on {connection.vendor}; set DATABASE_URL=postgres://... (.ci/run does)"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_the_broker_is_a_reachable_redis() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        need_real("Redis", "set CELERY_BROKER_URL=redis://... (.ci/run does)")
    check_broker()


def test_the_docker_engine_answers() -> None:
    try:
        client = docker.from_env(timeout=5)
        assert client.ping() is True
    except docker.errors.DockerException as exc:
        need_real("Docker engine", f"{exc}; start dockerd (.ci/run does)")
