"""Delivery: after commit only, retried with backoff (same event id) until delivered or the window
closes, redelivered on demand, only to subscribed endpoints, never to private addresses unless allowed,
never through a redirect. The job function is called directly here, as the worker would; the test with
a real worker is test_worker.py."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from annotation.models import WebhookAttempt, WebhookDelivery
from annotation.webhooks import jobs, sending
from annotation.webhooks import services as webhooks
from tasks.models import Project, User
from tests.annotation.webhooks.conftest import Receiver, closed_port_url, endpoint_for

pytestmark = pytest.mark.usefixtures("allow_private")


def emit_ping(project: Project) -> list[WebhookDelivery]:
    return webhooks.emit(project=project, event="export.finished", data={"export_id": 7, "status": "done"})


def test_it_schedules_the_job_after_commit_and_sends_the_envelope(
    project: Project, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = endpoint_for(project, receiver.url, ["export.finished"])
    with django_capture_on_commit_callbacks() as scheduled:
        (delivery,) = emit_ping(project)
    assert len(scheduled) == 1 and receiver.requests == []  # nothing is sent before the commit

    jobs.deliver(delivery.pk)

    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["id"] == str(delivery.event_id) == request.headers["X-Webhook-Id"]
    assert (body["event"], body["project"], body["data"]) == (
        "export.finished",
        project.slug,
        {"export_id": 7, "status": "done"},
    )
    assert dt.datetime.fromisoformat(body["created_at"]).tzinfo is not None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("delivered", 1, 200)
    assert delivery.next_attempt_at is None and delivery.last_duration_ms is not None
    assert request.path == "/hook" and endpoint.deliveries.count() == 1


def test_a_rolled_back_change_leaves_no_delivery_and_no_job(
    project: Project, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint_for(project, receiver.url)
    with django_capture_on_commit_callbacks() as scheduled, pytest.raises(RuntimeError), transaction.atomic():
        emit_ping(project)
        raise RuntimeError("the state change failed")

    assert scheduled == [] and WebhookDelivery.objects.count() == 0 and receiver.requests == []


def test_a_500_is_retried_after_the_backoff_with_the_same_event_id_and_the_log_shows_both(
    project: Project, receiver: Receiver, client: Client, lead: User
) -> None:
    endpoint = endpoint_for(project, receiver.url)
    receiver.answer(500, b"<b>database down</b>")
    (delivery,) = emit_ping(project)
    first = webhooks.deliver(delivery_id=delivery.pk)
    assert first is not None and first.status == "failed" and first.next_attempt_at is not None
    retry_at = first.next_attempt_at

    assert webhooks.deliver(delivery_id=delivery.pk, now=retry_at - dt.timedelta(seconds=1)) is None  # not yet
    second = webhooks.deliver(delivery_id=delivery.pk, now=retry_at)

    assert second is not None and (second.status, second.attempts, second.last_response_code) == ("delivered", 2, 200)
    ids = [r.headers["X-Webhook-Id"] for r in receiver.requests]
    assert ids == [str(delivery.event_id)] * 2 and receiver.requests[0].body == receiver.requests[1].body
    assert retry_at - first.updated_at >= dt.timedelta(minutes=1) - dt.timedelta(seconds=1)
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_code"))
    assert attempts == [(1, 500), (2, 200)]
    client.force_login(lead)
    page = client.get(f"/projects/{project.slug}/webhooks/{endpoint.pk}/").content.decode()
    assert "2 attempts" in page and ": 500 in " in page and ": 200 in " in page
    assert "&lt;b&gt;database down&lt;/b&gt;" in page and "<b>database down" not in page


def test_a_dead_receiver_is_retried_until_the_window_closes_then_given_up(project: Project) -> None:
    endpoint_for(project, closed_port_url())
    (delivery,) = emit_ping(project)
    window_end = delivery.created_at + dt.timedelta(hours=24)

    now = delivery.next_attempt_at
    for _ in range(20):  # move the clock to each next attempt instead of waiting for it
        if now is None:
            break
        done = webhooks.deliver(delivery_id=delivery.pk, now=now)
        assert done is not None
        now = done.next_attempt_at

    delivery.refresh_from_db()
    starts = list(delivery.attempt_log.values_list("started_at", flat=True))
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert delivery.status == "gave_up" and delivery.attempts == len(starts) == 8
    assert gaps[:5] == [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 360)] and gaps[5] == dt.timedelta(hours=6)
    assert starts[-1] <= window_end < starts[-1] + dt.timedelta(hours=6)
    assert "ConnectionRefusedError" in delivery.last_error and delivery.last_response_code is None
    assert webhooks.due(now=window_end + dt.timedelta(days=1)) == []


def test_the_sweep_finds_what_is_due_and_only_that(project: Project, receiver: Receiver) -> None:
    endpoint = endpoint_for(project, receiver.url)
    due_now, later, done = emit_ping(project) + emit_ping(project) + emit_ping(project)
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=later.created_at + dt.timedelta(hours=1))
    webhooks.deliver(delivery_id=done.pk)
    now = due_now.created_at + dt.timedelta(seconds=1)

    assert webhooks.due(now=now) == [due_now.pk]
    webhooks.update_endpoint(endpoint=endpoint, actor=None, active=False)
    assert webhooks.due(now=now + dt.timedelta(hours=2)) == []


def test_a_redelivery_sends_the_same_event_id_and_body_as_a_new_delivery(project: Project, receiver: Receiver) -> None:
    endpoint = endpoint_for(project, receiver.url)
    (delivery,) = emit_ping(project)
    webhooks.deliver(delivery_id=delivery.pk)
    webhooks.rotate_secret(endpoint=endpoint, actor=None)

    again = webhooks.redeliver(delivery=delivery)
    webhooks.deliver(delivery_id=again.pk)

    first, second = receiver.requests
    assert again.pk != delivery.pk and again.event_id == delivery.event_id
    assert second.headers["X-Webhook-Id"] == first.headers["X-Webhook-Id"] and second.body == first.body
    timestamp = int(second.headers["X-Webhook-Timestamp"])
    assert second.headers["X-Webhook-Signature"] == webhooks.sign(endpoint.secret, timestamp, second.body)
    assert WebhookDelivery.objects.get(pk=again.pk).status == "delivered"


def test_only_active_endpoints_subscribed_to_the_event_get_it(project: Project, receiver: Receiver) -> None:
    wants = endpoint_for(project, receiver.url + "/wants", ["export.finished"])
    other = endpoint_for(project, receiver.url + "/other", ["judgment.submitted"])
    off = endpoint_for(project, receiver.url + "/off", ["export.finished"])
    webhooks.update_endpoint(endpoint=off, actor=None, active=False)

    deliveries = emit_ping(project)
    for delivery in deliveries:
        webhooks.deliver(delivery_id=delivery.pk)

    assert [d.endpoint_id for d in deliveries] == [wants.pk]
    assert [r.path for r in receiver.requests] == ["/hook/wants"]
    assert not other.deliveries.exists() and not off.deliveries.exists()


def test_deactivating_gives_up_what_is_unsent(project: Project, receiver: Receiver) -> None:
    endpoint = endpoint_for(project, receiver.url)
    (delivery,) = emit_ping(project)

    webhooks.update_endpoint(endpoint=endpoint, actor=None, active=False)

    assert webhooks.deliver(delivery_id=delivery.pk) is None and receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == "gave_up" and "deactivated" in delivery.last_error
    with pytest.raises(webhooks.WebhookRefused, match="activate it first"):
        webhooks.redeliver(delivery=delivery)


def test_a_redirect_is_not_followed(project: Project, receiver: Receiver) -> None:
    endpoint_for(project, receiver.url)
    receiver.answer(302, Location=receiver.url + "/elsewhere")
    (delivery,) = emit_ping(project)

    done = webhooks.deliver(delivery_id=delivery.pk)

    assert [r.path for r in receiver.requests] == ["/hook"]
    assert done is not None and (done.status, done.last_response_code) == ("failed", 302)
    assert "redirects are not followed" in done.last_error


def test_only_the_head_of_the_answer_is_logged(project: Project, receiver: Receiver) -> None:
    endpoint_for(project, receiver.url)
    receiver.answer(200, b"x" * 100_000)
    (delivery,) = emit_ping(project)

    webhooks.deliver(delivery_id=delivery.pk)

    assert len(WebhookAttempt.objects.get(delivery=delivery).response_body) == sending.LOG_BODY_CHARS


def test_a_job_delivered_twice_sends_once(project: Project, receiver: Receiver) -> None:
    endpoint_for(project, receiver.url)
    (delivery,) = emit_ping(project)

    jobs.deliver(delivery.pk)
    jobs.deliver(delivery.pk)

    assert len(receiver.requests) == 1


def test_an_unknown_event_is_a_programming_error(project: Project) -> None:
    with pytest.raises(ValueError, match="not a webhook event"):
        webhooks.emit(project=project, event="judgment.deleted", data={})
