"""Suites run through Celery: stored, delivered to a callback, never run twice at once, never lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import time
import uuid

import docker
import pytest
from celery.result import AsyncResult
from django.utils import timezone

from annotation import jobs as annotation_jobs
from sandbox import jobs, reaper, runner, services
from sandbox.docker_backend import OWNER, DockerBackend
from sandbox.limits import Limits
from sandbox.models import Execution

SOLUTION = "def double(x):\n    return 2 * x\n"
TESTS = "from solution import double\n\ndef test_double():\n    assert double(21) == 42\n"
SLOW_TESTS = TESTS + "\ndef test_slow():\n    import time\n    time.sleep(6)\n"
LIMITS = Limits()


@pytest.fixture(autouse=True)
def _no_pool(settings, backend: DockerBackend) -> None:
    # Jobs called in this process start containers on demand; the pool has its own tests.
    settings.SANDBOX_POOL_SIZE = 0
    runner._pools.clear()


def submit(**kwargs) -> Execution:
    return services.submit_suite(language="python", solution=SOLUTION, tests=TESTS, **kwargs)


def result(execution: Execution) -> dict:
    assert execution.result is not None, execution.state
    return execution.result


def wait_for(execution: Execution, states: set[str], timeout: float = 90) -> Execution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.state in states:
            return execution
        time.sleep(0.1)
    raise AssertionError(f"execution stayed {execution.state}")


@pytest.mark.django_db
def test_the_job_runs_the_suite_and_stores_the_result() -> None:
    execution = submit()

    jobs.run_execution(execution.pk)

    execution.refresh_from_db()
    assert (execution.state, execution.attempts) == ("done", 1)
    assert result(execution)["status"] == "passed" and result(execution)["passed"] == 1


@pytest.mark.django_db
def test_a_job_delivered_twice_runs_once() -> None:
    execution = submit()
    jobs.run_execution(execution.pk)
    execution.refresh_from_db()
    first = result(execution)

    jobs.run_execution(execution.pk)

    execution.refresh_from_db()
    assert execution.attempts == 1 and result(execution) == first


@pytest.mark.django_db
def test_a_live_holder_keeps_its_execution() -> None:
    execution = submit()
    mine = f"{socket.gethostname()}:{os.getpid()}"
    assert services.claim_execution(execution_id=execution.pk, worker=mine, limits=LIMITS) is not None

    assert services.claim_execution(execution_id=execution.pk, worker="other:1", limits=LIMITS) is None


@pytest.mark.django_db
def test_a_dead_holder_on_this_host_is_taken_over_at_once() -> None:
    execution = submit()
    dead = f"{socket.gethostname()}:{2**22 + 12345}"  # above pid_max: never a live process
    services.claim_execution(execution_id=execution.pk, worker=dead, limits=LIMITS)

    taken = services.claim_execution(execution_id=execution.pk, worker="me:1", limits=LIMITS)

    assert taken is not None and taken.attempts == 2 and taken.worker == "me:1"


@pytest.mark.django_db
def test_the_reaper_requeues_expired_leases_then_gives_up() -> None:
    execution = submit()
    later = timezone.now() + dt.timedelta(hours=1)

    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        services.claim_execution(execution_id=execution.pk, worker="far-away-host:1", limits=LIMITS)
        last = attempt == services.MAX_ATTEMPTS
        assert services.recover_stale(now=later) == (([], [execution.pk]) if last else ([execution.pk], []))

    execution.refresh_from_db()
    assert execution.state == "lost" and result(execution)["status"] == "error"
    assert "died 3 times" in result(execution)["message"]


@pytest.mark.django_db
def test_the_reaper_leaves_live_leases_alone() -> None:
    execution = submit()
    services.claim_execution(execution_id=execution.pk, worker="far-away-host:1", limits=LIMITS)

    assert services.recover_stale() == ([], [])


def test_a_worker_runs_the_job_and_calls_the_callback(worker) -> None:
    queue = worker()  # with its warm pool: stopping the worker must remove the pool's containers
    callback_id = str(uuid.uuid4())
    callback = annotation_jobs.ping.si("no-such-project").set(task_id=callback_id, queue=queue)

    execution = submit(callback=dict(callback), queue=queue)

    assert AsyncResult(callback_id).get(timeout=90)["tasks"] == 0  # the callback ran after the execution
    execution.refresh_from_db()
    assert execution.state == "done" and result(execution)["status"] == "passed"


def test_a_worker_killed_mid_run_leads_to_a_retry_not_a_lost_run(worker, backend: DockerBackend) -> None:
    queue = worker(pool="prefork", env={"SANDBOX_POOL_SIZE": "0"})
    execution = services.submit_suite(language="python", solution=SOLUTION, tests=SLOW_TESTS, queue=queue)
    execution = wait_for(execution, {"running"})
    pid = int(execution.worker.rpartition(":")[2])
    owned = {"label": f"{OWNER}={execution.worker}", "status": "running"}
    deadline = time.monotonic() + 30
    while not docker.from_env().containers.list(filters=owned) and time.monotonic() < deadline:
        time.sleep(0.05)  # kill it with its container running, mid-run

    dead = execution.worker
    os.kill(pid, signal.SIGKILL)  # the pool process dies mid-run; Celery requeues its job

    execution = wait_for(execution, {"done", "lost"})
    assert execution.state == "done" and execution.attempts == 2
    assert result(execution)["status"] == "passed" and result(execution)["passed"] == 2
    # The dead process's container is an orphan: after the reaper, none of it is left.
    reaper.reap_containers(backend)
    assert docker.from_env().containers.list(all=True, filters={"label": f"{OWNER}={dead}"}) == []
