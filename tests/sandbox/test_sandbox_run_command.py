"""`manage.py sandbox_run ... --json`: the contract of DESIGN.md."""

import json
import subprocess
import sys

from django.conf import settings

SOLUTION = "def add(a, b):\n    return a + b\n"
TESTS = (
    "from solution import add\n\ndef test_add():\n    assert add(2, 2) == 4\n\n"
    "def test_wrong():\n    assert add(1, 1) == 3\n"
)


def sandbox_run(
    tmp_path, *extra: str, env: dict[str, str] | None = None, solution: str = ""
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "s.py").write_text(SOLUTION)
    (tmp_path / "t.py").write_text(TESTS)
    command = [
        sys.executable,
        "manage.py",
        "sandbox_run",
        "--language",
        "python",
        "--solution",
        solution or str(tmp_path / "s.py"),
        "--tests",
        str(tmp_path / "t.py"),
        *extra,
    ]
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**__import__("os").environ, **(env or {})},
    )


def test_it_prints_one_json_object_with_the_verdict(tmp_path, backend) -> None:
    done = sandbox_run(tmp_path, "--json", "--timeout", "15")

    assert done.returncode == 0, done.stderr  # the sandbox ran, whatever the verdict
    result = json.loads(done.stdout)
    assert result["status"] == "failed" and (result["passed"], result["failed"]) == (1, 1)
    assert [(t["name"], t["outcome"]) for t in result["tests"]] == [("test_add", "passed"), ("test_wrong", "failed")]
    assert set(result) >= {"status", "tests", "passed", "failed", "stdout", "stderr", "duration_ms", "truncated"}
    assert set(result["tests"][0]) >= {"name", "outcome", "duration_ms", "message"}


def test_it_exits_non_zero_with_a_clear_message_when_it_cannot_run(tmp_path, backend) -> None:
    done = sandbox_run(tmp_path, "--json", env={"SANDBOX_IMAGE": "no-such-sandbox-image:0"})

    assert done.returncode != 0
    assert json.loads(done.stdout)["status"] == "unavailable"
    assert "run `make sandbox-image`" in done.stderr


def test_a_missing_file_is_named(tmp_path, backend) -> None:
    done = sandbox_run(tmp_path, "--json", solution="nope.py")

    assert done.returncode != 0 and "nope.py: no such file" in done.stderr
