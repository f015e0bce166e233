"""Sandbox tests run real containers on the local Docker engine (CI fails, never skips, without one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import docker
import pytest

from sandbox import workers
from sandbox.docker_backend import LABEL, OWNER, DockerBackend
from sandbox.results import RunResult
from sandbox.runner import run_suite
from tests.conftest import sandbox_limits


@pytest.fixture
def run(backend: DockerBackend):
    def run(language: str, solution: str, tests: str, **limits: Any) -> RunResult:
        engine = DockerBackend(sandbox_limits(**limits)) if limits else backend
        return run_suite(language=language, solution=solution, tests=tests, backend=engine)

    return run


def sandbox_containers() -> list[Any]:
    """This test process's sandbox containers: a platform or a benchmark running beside keeps its own."""
    mine = f"{OWNER}={workers.worker_id()}"
    return docker.from_env().containers.list(all=True, filters={"label": [LABEL, mine]})


@pytest.fixture(scope="module", autouse=True)
def _no_container_left_behind(backend: DockerBackend) -> Iterator[None]:
    before = {c.id for c in sandbox_containers()}  # a developer's running platform keeps warm ones
    yield
    left = [c.name for c in sandbox_containers() if c.id not in before]
    assert left == [], f"sandbox containers left behind: {left}"
