"""The reaper removes the containers of a process that died, and leaves live ones alone."""

from __future__ import annotations

import subprocess
import sys

import docker
from django.conf import settings

from sandbox import languages, reaper
from sandbox.docker_backend import OWNER, DockerBackend
from sandbox.workers import worker_id

START_AND_DIE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation.settings")
django.setup()
from sandbox import languages
from sandbox.runner import default_backend
sandbox = default_backend().start(languages.get("python"))
print(sandbox.id, flush=True)
os._exit(0)  # gone without removing its container, as a crashed worker would be
"""


def test_it_removes_an_orphan_and_keeps_a_live_owners_container(backend: DockerBackend) -> None:
    done = subprocess.run(
        [sys.executable, "-c", START_AND_DIE],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    orphan = done.stdout.strip().splitlines()[-1]
    mine = backend.start(languages.get("python"))
    try:
        removed = reaper.reap_containers(backend)

        assert orphan in removed and mine.id not in removed
        assert docker.from_env().containers.list(all=True, filters={"label": f"{OWNER}={worker_id()}"})
    finally:
        backend.discard(mine)
