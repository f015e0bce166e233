"""Celery jobs of the webhooks: one attempt of one delivery, and the periodic sweep of what is due."""

from celery import shared_task

from annotation.webhooks import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """Attempt one delivery (does nothing unless it is due and unclaimed: safe to run twice)."""
    services.deliver(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep() -> int:
    """Periodic (every minute): enqueue every delivery whose next attempt is due, so retries happen and a
    job lost with its worker or its broker is sent all the same; returns how many it enqueued."""
    ids = services.due()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
