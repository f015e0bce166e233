"""End to end through a real Celery worker: a committed change reaches the receiver, a rolled-back one
never does, and a delivery whose job was lost is sent by the sweep."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import transaction

from annotation.celery import app
from annotation.models import WebhookDelivery
from annotation.webhooks import jobs
from annotation.webhooks import services as webhooks
from tasks.models import Project
from tests.annotation.webhooks.conftest import Receiver, endpoint_for


@pytest.fixture
def live(worker: Callable[..., str], project: Project, receiver: Receiver, allow_private: None) -> Receiver:
    """A worker on this session's queue, allowed to reach the loopback receiver."""
    worker(queue=app.conf.task_default_queue, env={"WEBHOOK_ALLOW_PRIVATE": "1"})
    endpoint_for(project, receiver.url, ["export.finished"])
    return receiver


def test_the_worker_delivers_after_commit_and_never_for_a_rollback(live: Receiver, project: Project) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        webhooks.emit(project=project, event="export.finished", data={"export_id": 1})
        raise RuntimeError("rolled back")
    with transaction.atomic():
        (kept,) = webhooks.emit(project=project, event="export.finished", data={"export_id": 2})
        assert live.requests == []  # not before the commit

    (request,) = live.wait_for(1)  # jobs run in order: a job for the rolled-back event would come first

    assert request.headers["X-Webhook-Id"] == str(kept.event_id) and b'"export_id":2' in request.body
    assert WebhookDelivery.objects.count() == 1
    assert _status_soon(kept.pk) == "delivered"


def test_the_sweep_sends_a_delivery_whose_job_was_lost(live: Receiver, project: Project) -> None:
    (lost,) = webhooks.emit(project=project, event="export.finished", data={"export_id": 3})  # autocommit: sent now
    live.wait_for(1)
    assert _status_soon(lost.pk) == "delivered"
    stranded = WebhookDelivery.objects.create(
        endpoint=lost.endpoint,
        event=lost.event,
        event_id=lost.event_id,
        payload=lost.payload,
        next_attempt_at=lost.created_at,
    )  # as if its job had gone with a crashed worker: no job was ever enqueued for it

    assert jobs.sweep() == 1

    assert len(live.wait_for(2)) == 2
    assert _status_soon(stranded.pk) == "delivered"


def _status_soon(delivery_id: int) -> str:
    """The delivery's status once the worker has recorded the answer (it does so just after replying)."""
    deadline = time.monotonic() + 30
    status = ""
    while time.monotonic() < deadline:
        status = WebhookDelivery.objects.get(pk=delivery_id).status
        if status != WebhookDelivery.Status.PENDING:
            break
        time.sleep(0.05)
    return status
