"""docker-compose.yml is valid and has the production shape."""

import os
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from tests.conftest import need_real


@pytest.fixture
def compose_config() -> dict:
    binary = shutil.which("docker-compose")
    if binary is None:
        need_real("docker-compose", "install Debian's docker-compose package")
        return {}
    env = {**os.environ, "ENV_FILE": ".env.example"}
    done = subprocess.run(
        [binary, "--env-file", ".env.example", "config"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_it_defines_web_worker_postgres_and_redis_with_healthchecks(compose_config: dict) -> None:
    services = compose_config["services"]

    assert {"web", "worker", "postgres", "redis"} <= set(services)
    assert all("healthcheck" in services[name] for name in ("web", "worker", "postgres", "redis"))
    assert "command" not in services["web"]  # the image's CMD: gunicorn (see Dockerfile)
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_worker_reaches_the_host_docker_engine_and_uses_real_services(compose_config: dict) -> None:
    worker = compose_config["services"]["worker"]

    assert any("/var/run/docker.sock" in str(volume) for volume in worker["volumes"])
    assert worker["environment"]["DATABASE_URL"].startswith("postgres://")
    assert worker["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert worker["environment"]["DEBUG"] == "0"


def test_secrets_come_from_the_env_file(compose_config: dict) -> None:
    web = compose_config["services"]["web"]["environment"]

    assert web["SECRET_KEY"] == "change-me-to-a-long-random-string-of-at-least-32-chars"
    assert "change-me" in web["DATABASE_URL"]


def test_the_sandbox_image_builds_from_its_dockerfile_and_the_worker_uses_it(compose_config: dict) -> None:
    services = compose_config["services"]

    assert services["sandbox-image"]["build"]["context"].endswith("/sandbox")
    assert services["worker"]["environment"]["SANDBOX_IMAGE"] == services["sandbox-image"]["image"]
