"""Settings come from the environment, and a bad value stops start-up with a message that says what to set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from annotation.env import env_bool, env_int, env_list, env_rate

UNSET = {"DEBUG", "SECRET_KEY", "PSEUDONYM_KEY", "DATABASE_URL", "DB_CONN_MAX_AGE"}  # the embedded defaults


def start_django(code: str = "print('started')", **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` after django.setup() in a new process, with these variables over the defaults."""
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "annotation.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_debug_off_without_a_secret_key_refuses_to_start() -> None:
    done = start_django(DEBUG="0")

    assert done.returncode != 0
    assert "DEBUG is off, so SECRET_KEY must be set" in done.stderr


def test_debug_off_with_a_real_secret_key_starts() -> None:
    done = start_django(DEBUG="0", SECRET_KEY="x" * 40, PSEUDONYM_KEY="y" * 40)

    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


def test_a_bad_boolean_names_the_variable() -> None:
    done = start_django(DEBUG="maybe")

    assert "DEBUG='maybe' is not a boolean" in done.stderr


def test_helpers_parse_and_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert (env_bool("X_BOOL", False), env_int("X_INT", 0), env_list("X_LIST", [])) == (True, 12, ["a", "b", "c"])
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_INT='twelve' is not an integer"):
        env_int("X_INT", 0)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="X_INT=0 is too small: it must be at least 1"):
        env_int("X_INT", 5, minimum=1)


def test_a_short_secret_key_says_how_short() -> None:
    done = start_django(DEBUG="0", SECRET_KEY="x" * 20, PSEUDONYM_KEY="y" * 40)

    assert "SECRET_KEY must be set to a random string of at least 32 characters (it has only 20" in done.stderr


def test_a_bad_rate_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_TOKEN", "ten a minute")
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_TOKEN='ten a minute' is not a rate"):
        env_rate("RATE_LIMIT_TOKEN", "10/min")
    monkeypatch.setenv("RATE_LIMIT_TOKEN", "30/hour")
    assert env_rate("RATE_LIMIT_TOKEN", "10/min") == "30/hour"


def test_a_cache_url_other_than_redis_is_refused() -> None:
    done = start_django(CACHE_URL="memcached://cache:11211")

    assert done.returncode != 0
    assert "CACHE_URL='memcached://cache:11211' is not understood" in done.stderr


def test_the_embedded_database_keeps_its_connection_and_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """make run's SQLite: the connection outlives a request (DB_CONN_MAX_AGE, as on PostgreSQL) and is
    in WAL mode with synchronous=NORMAL (1); per-request connections and FULL (2) were a third of a save."""
    code = (
        "from django.db import connection; from django.conf import settings; c = connection.cursor(); "
        "print(settings.DATABASES['default']['CONN_MAX_AGE'], "
        "c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA synchronous').fetchone()[0])"
    )
    done = start_django(code, VAR_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "wal", "1"]


@pytest.mark.parametrize(("switch", "options"), [("1", "True 2"), ("0", "None None")])
def test_postgresql_binds_on_the_server_and_prepares_unless_turned_off(switch: str, options: str) -> None:
    """DB_PREPARED_STATEMENTS=0 (a pooler in transaction mode) leaves Django's client-side binding."""
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    url = "postgres://someone:secret@127.0.0.1:5432/nowhere"  # settings only: nothing connects
    done = start_django(code, DATABASE_URL=url, DB_PREPARED_STATEMENTS=switch)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == options.split()


def test_a_fresh_var_dir_gets_the_embedded_brokers_folders_at_start(tmp_path: Path) -> None:
    """Any process that may send a job (a web server not started by `make run`, one test on a fresh
    clone) makes them, not only a worker: else the first job sent fails with FileNotFoundError."""
    done = start_django(VAR_DIR=str(tmp_path / "new"), CELERY_BROKER_URL="filesystem://")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "celery" / "broker").is_dir()
