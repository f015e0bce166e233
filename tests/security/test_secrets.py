"""Issue 11, finding 8: the .env.example SECRET_KEY passed the start-up check, and export pseudonyms were an
HMAC under SECRET_KEY (with the public dev key, anyone could map them back to user ids)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from exporters.query import pseudonym

ROOT = Path(settings.BASE_DIR)


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh process with exactly these secrets (nothing inherited)."""
    inherited = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PSEUDONYM_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**inherited, "DJANGO_SETTINGS_MODULE": "annotation.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def real_key() -> str:
    return secrets.token_urlsafe(50)


@pytest.mark.parametrize(
    "key",
    [
        env_example()["SECRET_KEY"],
        "dev-only-insecure-key-do-not-use-in-production",
        "django-insecure-" + "k" * 40,
        "change-me-" + "k" * 40,
    ],
    ids=["env-example", "dev-default", "django-insecure", "change-me"],
)
def test_debug_off_refuses_a_published_secret_key(key: str) -> None:
    done = start_django(DEBUG="0", SECRET_KEY=key, PSEUDONYM_KEY=real_key())

    assert done.returncode != 0
    assert "DEBUG is off, so SECRET_KEY must be set" in done.stderr
    assert "placeholder" in done.stderr


def test_debug_off_requires_a_pseudonym_key() -> None:
    done = start_django(DEBUG="0", SECRET_KEY=real_key())

    assert done.returncode != 0
    assert "DEBUG is off, so PSEUDONYM_KEY must be set" in done.stderr


def test_debug_off_refuses_the_env_example_pseudonym_key() -> None:
    done = start_django(DEBUG="0", SECRET_KEY=real_key(), PSEUDONYM_KEY=env_example()["PSEUDONYM_KEY"])

    assert done.returncode != 0
    assert "PSEUDONYM_KEY" in done.stderr and "placeholder" in done.stderr


def test_debug_off_refuses_a_pseudonym_key_equal_to_the_secret_key() -> None:
    key = real_key()

    done = start_django(DEBUG="0", SECRET_KEY=key, PSEUDONYM_KEY=key)

    assert done.returncode != 0
    assert "PSEUDONYM_KEY must differ from SECRET_KEY" in done.stderr


def test_debug_off_with_real_keys_starts() -> None:
    done = start_django(DEBUG="0", SECRET_KEY=real_key(), PSEUDONYM_KEY=real_key())

    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


def test_pseudonyms_are_keyed_by_the_pseudonym_key_not_the_secret_key(settings) -> None:
    settings.PSEUDONYM_KEY = "p" * 50
    under = {
        key: f"ann-{hmac.new(key.encode(), b'annotator:7', hashlib.sha256).hexdigest()[:12]}"
        for key in (settings.PSEUDONYM_KEY, settings.SECRET_KEY)
    }

    assert pseudonym(7) == under[settings.PSEUDONYM_KEY]
    assert pseudonym(7) != under[settings.SECRET_KEY]


def test_in_development_the_pseudonym_key_is_derived_and_is_not_the_secret_key() -> None:
    assert settings.PSEUDONYM_KEY
    assert settings.PSEUDONYM_KEY != settings.SECRET_KEY
