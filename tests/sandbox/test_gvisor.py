"""gVisor (runsc) as the containers' runtime: runs where runsc is installed and registered with the
engine (README, "The sandbox"); skipped elsewhere, since it is optional on every machine kind."""

from __future__ import annotations

import docker
import pytest

from sandbox.docker_backend import DockerBackend
from sandbox.results import Status
from sandbox.runner import run_suite
from tests.conftest import sandbox_limits
from tests.sandbox.test_forgery import RIGHT, TESTS, TRICKS, WRONG, solution_with


def _runsc_registered() -> bool:
    try:
        return "runsc" in docker.from_env().info().get("Runtimes", {})
    except docker.errors.DockerException:
        return False


pytestmark = pytest.mark.skipif(not _runsc_registered(), reason="runsc is not registered with the Docker engine")


@pytest.fixture(scope="module")
def gvisor() -> DockerBackend:
    return DockerBackend(sandbox_limits(runtime="runsc", timeout=20.0))


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_suite_runs_under_gvisor(gvisor: DockerBackend, language: str) -> None:
    tests = (
        TESTS
        if language == "python"
        else (
            "const test = require('node:test'); const assert = require('node:assert');\n"
            "const { add } = require('./solution');\ntest('small', () => assert.strictEqual(add(2, 3), 5));\n"
        )
    )
    solution = RIGHT if language == "python" else "module.exports = { add: (a, b) => a + b };\n"

    result = run_suite(language=language, solution=solution, tests=tests, backend=gvisor)

    assert result.status == Status.PASSED, (result.status, result.message)


@pytest.mark.parametrize("trick", ["ptrace-pid-1-and-the-judge", "write-to-proc-1-fd-1-and-2", "eq-always-true"])
def test_forgeries_fail_under_gvisor_too(gvisor: DockerBackend, trick: str) -> None:
    result = run_suite(language="python", solution=solution_with(trick, WRONG), tests=TESTS, backend=gvisor)

    assert result.status in (Status.FAILED, Status.ERROR) and result.passed <= 1, (result.status, result.message)
    assert set(TRICKS) >= {trick}
