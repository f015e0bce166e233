"""Celery jobs of the sandbox engine: run an execution, and reap what crashed workers left."""

from typing import Any

from celery import shared_task
from celery.signals import worker_process_init, worker_process_shutdown, worker_shutdown
from django.conf import settings

from sandbox import reaper, runner, services, workers
from sandbox.docker_backend import Unavailable
from sandbox.models import Execution


# shared_task: the engine binds to whatever Celery app the project runs (annotation/celery.py here)
# and imports nothing of the product.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_execution(execution_id: int) -> None:
    """Run one execution's suite and hand the result to its callback; safe to deliver twice."""
    limits = runner.default_backend().limits
    execution = services.claim_execution(execution_id=execution_id, worker=workers.worker_id(), limits=limits)
    if execution is None:
        finished = Execution.objects.filter(pk=execution_id, state__in=[Execution.State.DONE, Execution.State.LOST])
        if finished.exists():
            services.deliver(execution_id=execution_id)  # the first copy may have died before delivering
        return  # otherwise a live worker holds it; the reaper steps in if that worker dies
    result = runner.run_suite(
        language=execution.language,
        solution=execution.solution,
        tests=execution.tests,
        timeout=execution.timeout,
        pool=runner.default_pool(),
    )
    if services.finish_execution(execution=execution, result=result):
        services.deliver(execution_id=execution_id)


@shared_task(ignore_result=True)
def reap() -> dict[str, Any]:
    """Periodic: requeue executions whose worker died, remove containers nobody will remove."""
    requeued, lost = services.recover_stale()
    try:
        removed = reaper.reap_containers(runner.default_backend())
    except Unavailable:
        removed = []
    return {"requeued": requeued, "lost": lost, "removed": len(removed)}


@worker_process_init.connect
def _warm_pool(**_: object) -> None:
    if settings.SANDBOX_POOL_SIZE:
        runner.default_pool().warm()


@worker_process_shutdown.connect
@worker_shutdown.connect
def _close_pool(**_: object) -> None:
    # A prefork child closes its own pool; a solo (or threads) worker's pool lives in the main process.
    runner.close_default_pool()
