"""Personas and plain builders shared by the whole suite."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from annotation.celery import app as celery_app
from annotation.celery import ensure_folders
from annotation.models import Assignment, Judgment
from annotation.work import activity, judging
from sandbox.docker_backend import DockerBackend, Unavailable
from sandbox.limits import Limits
from tasks import services
from tasks.models import Project, RankingMode, Role, User

# Jobs this test session enqueues go to a queue of its own, so a developer's running `make run`
# worker (same file-system broker) never takes them; test workers listen on it or on their own.
SESSION_QUEUE = f"test-session-{uuid.uuid4().hex[:8]}"
celery_app.conf.task_default_queue = SESSION_QUEUE


def need_real(component: str, why: str) -> None:
    """A test that needs a real PostgreSQL, Redis, worker or Docker engine: fail in CI, skip elsewhere."""
    message = f"{component} is not available: {why}"
    if settings.REQUIRE_REAL_SERVICES:
        pytest.fail(message + " (REQUIRE_REAL_SERVICES is on, so this is a failure, not a skip)")
    pytest.skip(message)


def make_user(username: str, *, staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-pw", is_staff=staff)
    return user


def task_line(
    external_id: str = "ext-1", *, language: str = "python", responses: Any = 2, **fields: Any
) -> dict[str, Any]:
    """One task in the import format: `responses` is a count or the list itself; `fields` override or add keys."""
    if isinstance(responses, int):
        responses = [
            {"model": f"model-{i}", "code": f"def add(a, b):\n    return a + b  # {i}\n"} for i in range(responses)
        ]
    data: dict[str, Any] = {
        "id": external_id,
        "prompt": f"Write `add(a, b)` for {external_id}.",
        "language": language,
        "responses": responses,
        "metadata": {"source": "test"},
    }
    data.update(fields)
    return data


def jsonl(*items: Any) -> bytes:
    """A JSONL body; str items are taken as raw lines (to write broken JSON)."""
    return b"".join((item if isinstance(item, str) else json.dumps(item)).encode() + b"\n" for item in items)


@pytest.fixture
def lead(db: None) -> User:
    return make_user("lena-lead")


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user("rita-reviewer")


@pytest.fixture
def annotator(db: None) -> User:
    return make_user("ann-annotator")


@pytest.fixture
def annotator2(db: None) -> User:
    return make_user("bob-annotator")


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("oscar-outsider")


@pytest.fixture
def staff(db: None) -> User:
    return make_user("sam-staff", staff=True)


@pytest.fixture
def project(lead: User, reviewer: User, annotator: User, annotator2: User) -> Project:
    project = services.create_project(
        slug="py-rank", name="Python ranking", lead=lead, overlap=2, ranking_mode=RankingMode.RANKING
    )
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    services.add_member(project=project, user=annotator, role=Role.ANNOTATOR)
    services.add_member(project=project, user=annotator2, role=Role.ANNOTATOR)
    return project


@pytest.fixture
def other_project(db: None) -> Project:
    """A pairwise project none of the personas belong to."""
    return services.create_project(slug="secret-js", name="Secret JS", overlap=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness costs seconds across the suite and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The throttles and the login lockout count in Django's cache, which outlives a test; user ids repeat
    from one SQLite test to the next, and so would their keys. Each test starts from an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def database_url_of_this_test() -> str:
    """DATABASE_URL for a subprocess (a Celery worker) that must see this test's database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db: None) -> Iterator[Callable[..., str]]:
    """Start real `celery worker` processes, each on a queue of its own so no other worker steals the
    jobs; returns the queue name. They are stopped (warm shutdown, then kill) after the test."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*, pool: str = "solo", env: dict[str, str] | None = None, queue: str = "") -> str:
        queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        ensure_folders()
        full_env = {
            **os.environ,
            "DATABASE_URL": database_url_of_this_test(),
            "CELERY_TASK_DEFAULT_QUEUE": SESSION_QUEUE,  # callbacks the worker sends come back to this session
            **(env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "annotation",
            "worker",
            "-Q",
            queue,
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ]
        procs.append(subprocess.Popen(command, env=full_env, cwd=Path(settings.BASE_DIR), start_new_session=True))
        return queue

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def claimable_project(
    *,
    tasks: int = 3,
    overlap: int = 2,
    responses: int = 2,
    annotators: list[User] | None = None,
    min_tests: int = 1,
) -> Project:
    """A ranking project with `tasks` imported tasks and the given annotators as members."""
    from tasks.importing import import_tasks

    project = services.create_project(
        slug=f"p-{uuid.uuid4().hex[:6]}",
        name="Queue",
        overlap=overlap,
        ranking_mode=RankingMode.RANKING,
        min_tests=min_tests,
        min_rationale_chars=20,
    )
    for user in annotators or []:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    lines = [json.dumps(task_line(f"t{i}", responses=responses)) for i in range(tasks)]
    import_tasks(project=project, lines=lines)
    return project


RATIONALE = "A handles the empty list and a single element; B raises IndexError on [] and returns None for [x]."


def submit_judgment(
    assignment: Assignment,
    *,
    ranking: list[list[str]] | None = None,
    rationale: str = RATIONALE,
    rating: int = 3,
    confirm_evidence: bool = False,
    evidence_note: str = "",
    **fields: Any,
) -> Judgment:
    """Complete a judgment as the workspace does: save it as a draft, then submit it, through the services.

    `ranking` is in stored labels (default: alphabetical, A first, no ties); every response gets `rating`
    on every dimension of the project's rubric; `fields` add or override judgment fields (comments,
    strength, all_unacceptable, ideal_solution, ratings). Raises what submit_judgment raises."""
    labels = sorted(assignment.response_order)
    rubric = [d["key"] for d in assignment.task.project.rubric]
    data: dict[str, Any] = {
        "ranking": ranking if ranking is not None else [[label] for label in labels],
        "ratings": {label: dict.fromkeys(rubric, rating) for label in labels},
        "rationale": rationale,
        **fields,
    }
    judging.save_draft(assignment=assignment, data=data)
    judgment = judging.submit_judgment(
        assignment=assignment, data=data, confirm_evidence=confirm_evidence, evidence_note=evidence_note
    )
    assignment.refresh_from_db()
    return judgment


def heartbeats(annotator: User, assignment: Assignment | None, seconds: int, *, end: dt.datetime | None = None) -> int:
    """A tab beating every 20 s for `seconds` of active time that ends at `end` (default now), through
    activity.record_heartbeat; returns the seconds credited. Each call is a fresh tab."""
    end = end or timezone.now()
    start = end - dt.timedelta(seconds=seconds)
    tab = f"tab-{uuid.uuid4().hex[:8]}"
    offsets = [*range(0, seconds, 20), seconds]
    return sum(
        activity.record_heartbeat(
            annotator=annotator, assignment=assignment, tab=tab, seq=seq, now=start + dt.timedelta(seconds=offset)
        )
        for seq, offset in enumerate(offsets, start=1)
    )


def sandbox_limits(**overrides: Any) -> Limits:
    base = {"image": settings.SANDBOX_IMAGE, "timeout": 10.0, "memory_mb": 256, "output_bytes": 16 * 1024}
    return Limits(**{**base, **overrides})


@pytest.fixture(scope="session")
def backend() -> DockerBackend:
    engine = DockerBackend(sandbox_limits())
    try:
        engine.image_id()
    except Unavailable as exc:
        need_real("Docker sandbox", str(exc))
    return engine
