"""Running suites for callers through Celery, at least once and never twice at the same time.

A job claims its execution with a conditional UPDATE and holds it under a lease. A redelivered job
(the worker died and Celery requeued it) takes over when the holder is a dead process on this host or
the lease has run out; a job delivered twice while the first copy runs does nothing. The reaper
requeues executions whose lease ran out and marks them lost after MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from celery import signature
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sandbox import workers
from sandbox.limits import Limits
from sandbox.models import Execution
from sandbox.results import RunResult, Status

MAX_ATTEMPTS = 3
LEASE_MARGIN = dt.timedelta(seconds=30)


def submit_suite(
    *,
    language: str,
    solution: str,
    tests: str,
    timeout: float | None = None,
    callback: dict[str, Any] | None = None,
    queue: str | None = None,
) -> Execution:
    """Record a suite to run and enqueue its job once the surrounding transaction commits.

    `callback` is a Celery signature; it is called with the result dict (RunResult.to_dict()) put
    before its own arguments. `queue` routes the job (default: SANDBOX_QUEUE, or Celery's default).
    """
    execution = Execution.objects.create(
        language=language,
        solution=solution,
        tests=tests,
        timeout=timeout,
        callback=callback,
        queue=settings.SANDBOX_QUEUE if queue is None else queue,
    )
    transaction.on_commit(partial(_enqueue, execution.pk, execution.queue))
    return execution


def _enqueue(execution_id: int, queue: str) -> None:
    from sandbox import jobs  # jobs import this module

    if queue:
        jobs.run_execution.apply_async(args=(execution_id,), queue=queue)
    else:
        jobs.run_execution.delay(execution_id)


def claim_execution(*, execution_id: int, worker: str, limits: Limits) -> Execution | None:
    """Take the execution for `worker`, or None if it is finished or a live worker holds it."""
    now = timezone.now()
    execution = Execution.objects.filter(pk=execution_id).first()
    if execution is None or execution.state in (Execution.State.DONE, Execution.State.LOST):
        return None
    claimable = Q(state=Execution.State.QUEUED) | Q(state=Execution.State.RUNNING, lease_expires_at__lt=now)
    if execution.state == Execution.State.RUNNING and not workers.is_alive(execution.worker):
        # The holder died on this host (Celery requeued its job): take over without waiting for the lease.
        claimable |= Q(state=Execution.State.RUNNING, worker=execution.worker)
    lease = now + dt.timedelta(seconds=limits.clamp_timeout(execution.timeout)) + LEASE_MARGIN
    claimed = Execution.objects.filter(Q(pk=execution_id) & claimable).update(
        state=Execution.State.RUNNING,
        worker=worker,
        lease_expires_at=lease,
        attempts=F("attempts") + 1,
        started_at=now,
    )
    if not claimed:
        return None
    execution.refresh_from_db()
    return execution


def finish_execution(*, execution: Execution, result: RunResult) -> bool:
    """Store the result if `execution` is still ours; False when another worker took it over."""
    done = Execution.objects.filter(pk=execution.pk, state=Execution.State.RUNNING, worker=execution.worker).update(
        state=Execution.State.DONE, result=result.to_dict(), finished_at=timezone.now(), lease_expires_at=None
    )
    return bool(done)


def deliver(*, execution_id: int) -> None:
    """Hand a finished execution's result to the caller's callback (callbacks must be idempotent)."""
    execution = Execution.objects.filter(pk=execution_id).first()
    if execution is None or execution.callback is None or execution.result is None:
        return
    signature(execution.callback).delay(execution.result)


def recover_stale(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """Requeue running executions whose lease ran out; mark lost those out of attempts."""
    now = now or timezone.now()
    requeued: list[Execution] = []
    lost: list[int] = []
    stale = Execution.objects.filter(state=Execution.State.RUNNING, lease_expires_at__lt=now)
    for execution in stale.only("pk", "attempts", "worker", "queue"):
        if execution.attempts >= MAX_ATTEMPTS:
            if _mark_lost(execution, now):
                lost.append(execution.pk)
        elif Execution.objects.filter(pk=execution.pk, state=Execution.State.RUNNING, lease_expires_at__lt=now).update(
            state=Execution.State.QUEUED, worker="", lease_expires_at=None
        ):
            requeued.append(execution)
    for execution in requeued:
        transaction.on_commit(partial(_enqueue, execution.pk, execution.queue))
    for pk in lost:
        transaction.on_commit(partial(deliver, execution_id=pk))
    return [e.pk for e in requeued], lost


def _mark_lost(execution: Execution, now: dt.datetime) -> bool:
    result = RunResult(
        status=Status.ERROR,
        message=f"the worker running these tests died {execution.attempts} times (last: {execution.worker}); "
        "the run was given up: run the tests again",
    )
    return bool(
        Execution.objects.filter(pk=execution.pk, state=Execution.State.RUNNING, lease_expires_at__lt=now).update(
            state=Execution.State.LOST, result=result.to_dict(), finished_at=now, lease_expires_at=None
        )
    )
