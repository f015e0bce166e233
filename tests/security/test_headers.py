"""Issue 11, finding 8: with DEBUG off there was no HSTS, CSP or HTTPS redirect, and the token page was
cacheable. `manage.py check --deploy` must be clean with the production settings."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

from tasks.models import User

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET", "PSEUDONYM", "SECURE"))}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "annotation.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYM_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "labels.example.com",
        "VAR_DIR": str(tmp_path),
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def csp(client: Client, path: str) -> dict[str, list[str]]:
    header = client.get(path)["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = csp(client, "/accounts/login/")

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_the_one_allowed_inline_style_is_the_one_htmx_inserts() -> None:
    """htmx adds a <style> for its indicator class; the policy allows exactly that text by its hash."""
    vendored = (ROOT / "annotation/static/vendor/htmx.min.js").read_text(encoding="utf-8")
    assert 'indicatorClass:"htmx-indicator",requestClass:"htmx-request"' in vendored
    assert "`.${t}{opacity:0;visibility: hidden} `+`.${n} .${t}, .${n}.${t}{opacity:1;visibility: visible;" in vendored
    inserted = (
        ".htmx-indicator{opacity:0;visibility: hidden} "
        ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator{opacity:1;visibility: visible;"
        "transition: opacity 200ms ease-in}"
    )
    digest = base64.b64encode(hashlib.sha256(inserted.encode()).digest()).decode()

    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'", f"'sha256-{digest}'"]


def test_templates_have_no_inline_script_style_or_event_handler() -> None:
    offending = []
    for template in (ROOT / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        scripts_without_src = [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
        handlers = re.findall(r"\son[a-z]+\s*=", html)
        styles = re.findall(r"\sstyle\s*=|<style\b", html)
        if scripts_without_src or handlers or styles:
            offending.append(str(template.relative_to(ROOT)))

    assert offending == []


def test_the_api_docs_page_has_no_inline_script(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert re.findall(r"<script\b[^>]*>", page)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_token_page_is_never_cached(client: Client, annotator: User) -> None:
    client.force_login(annotator)
    client.post("/accounts/token/reset/")

    page = client.get("/accounts/token/")

    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]


def test_the_token_endpoint_answer_is_never_cached(client: Client, annotator: User) -> None:
    answer = client.post("/api/v1/auth/token", {"username": annotator.username, "password": "ann-annotator-pw"})

    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]


def test_plain_http_is_redirected_except_the_health_checks(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/accounts/login/", secure=True).status_code == 200
    assert client.get("/ping").status_code == 200
    assert client.get("/healthz").status_code in {200, 503}


def test_behind_the_proxy_its_https_header_is_trusted(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"}).status_code == 301


def test_https_answers_carry_hsts(client: Client, settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000

    answer = client.get("/accounts/login/", secure=True)

    assert answer["Strict-Transport-Security"].startswith("max-age=31536000")
