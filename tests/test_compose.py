"""docker-compose.yml is valid and has the production shape."""

import os
import re
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

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


# --- nginx in front of gunicorn (issue 11, finding 5: compose exposed gunicorn directly, and three
# slow-header connections stalled the site)

NGINX_TEMPLATE = settings.BASE_DIR / "deploy" / "nginx" / "default.conf.template"


def nginx_locations(text: str) -> dict[str, str]:
    """Each `location X { ... }` block's body by its X (no nested blocks in our file; a block ends at the
    first line that is only a closing brace, as ${...} inside a block has braces too)."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"location\s+([^{\n]+)\{(.*?)\n\s*\}", text, re.S)}


def test_nginx_alone_is_published_and_gunicorn_is_not(compose_config: dict) -> None:
    services = compose_config["services"]

    assert services["nginx"]["image"].startswith("nginx:")
    assert [p["target"] for p in services["nginx"]["ports"]] == [80]
    assert "ports" not in services["web"]
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "healthcheck" in services["nginx"]
    assert any(
        str(v).endswith("deploy/nginx/default.conf.template:/etc/nginx/templates/default.conf.template:ro")
        for v in services["nginx"]["volumes"]
    )


def test_web_trusts_the_one_proxy_and_uses_threads_and_a_shared_cache(compose_config: dict) -> None:
    web = compose_config["services"]["web"]["environment"]

    assert (web["BEHIND_TLS_PROXY"], web["TRUSTED_PROXIES"]) == ("1", "1")
    assert web["CACHE_URL"].startswith("redis://redis:6379/")
    assert "--worker-class gthread" in web["GUNICORN_CMD_ARGS"]


def test_nginx_caps_the_imports_at_the_platforms_own_limit(compose_config: dict) -> None:
    services = compose_config["services"]
    locations = nginx_locations(NGINX_TEMPLATE.read_text(encoding="utf-8"))
    import_page = reverse("task-import", kwargs={"slug": "demo-1"})
    import_api = reverse("api-task-import", kwargs={"slug": "demo-1"})

    assert (
        services["nginx"]["environment"]["IMPORT_MAX_FILE_BYTES"]
        == services["web"]["environment"]["IMPORT_MAX_FILE_BYTES"]
    )
    importing = [body for where, body in locations.items() if where.startswith("~") and "import" in where]
    assert len(importing) == 2
    assert all("client_max_body_size ${IMPORT_MAX_FILE_BYTES};" in body for body in importing)
    patterns = [where.split(None, 1)[1] for where in locations if where.startswith("~") and "import" in where]
    assert sorted(bool(re.match(p, path)) for p in patterns for path in (import_page, import_api)) == [
        False,
        False,
        True,
        True,
    ]


def test_nginx_buffers_and_times_out_slow_clients() -> None:
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")

    for directive in (
        "client_max_body_size 3m;",
        "client_header_timeout 10s;",
        "client_body_timeout 30s;",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "proxy_read_timeout 120s;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ):
        assert directive in text, directive
    locations = nginx_locations(text)
    assert "limit_req zone=login" in locations["= /accounts/login/"]
    assert "limit_req zone=token" in locations["= /api/v1/auth/token"]
    assert re.match(r"^/(api/v1|work)/heartbeat$", reverse("heartbeat")) and re.match(
        r"^/(api/v1|work)/heartbeat$", reverse("api-heartbeat")
    )


def test_nginx_accepts_the_configuration(tmp_path) -> None:
    """`nginx -t` on the template as the image fills it in (where nginx is installed)."""
    binary = shutil.which("nginx")
    if binary is None:
        need_real("nginx", "apt-get install nginx to check the configuration's syntax (.ci/run does)")
    assert binary is not None
    text = NGINX_TEMPLATE.read_text(encoding="utf-8").replace("${IMPORT_MAX_FILE_BYTES}", "209715200")
    (tmp_path / "default.conf").write_text(text.replace("server web:8000;", "server 127.0.0.1:8000;"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/default.conf;\n}}\n"
    )

    done = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 0, done.stderr
