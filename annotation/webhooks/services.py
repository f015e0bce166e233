"""Webhook endpoints, events and their delivery: emit() records a delivery per subscribed endpoint inside
the caller's transaction and sends it after commit; deliver() makes one signed attempt and schedules the
next with backoff until WEBHOOK_RETRY_HOURS after the event; the sweep (Celery beat) sends what is due.

The event id (X-Webhook-Id, and `id` in the body) is the same for every attempt and every redelivery,
so a receiver that keeps the ids it has handled handles each event once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotation.access import pseudonym
from annotation.models import (
    Assignment,
    Judgment,
    Review,
    TaskFlag,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from annotation.webhooks import sending
from tasks import audit
from tasks.models import Project, User

EVENTS = {
    "judgment.submitted": "an annotator submitted a judgment",
    "judgment.reviewed": "a reviewer gave a verdict on a judgment",
    "task.completed": "a task reached the project's overlap",
    "task.flagged": "an annotator flagged a task instead of judging it",
    "export.finished": "an export is done, or failed",
    "annotator.flagged": "an annotator's gold accuracy fell below the threshold",
}
PING = "ping"  # sent on demand to one endpoint, whatever it subscribes to
MAX_ENDPOINTS = 20  # per project: each event is one request per endpoint
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),  # and every 6 h after, until the window closes
)
CLAIM = dt.timedelta(minutes=5)  # an attempt in flight holds its delivery this long; then the sweep retries it
OPEN = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


class WebhookRefused(Exception):
    """The endpoint or the action is not accepted; the message names the field and the fix."""


# --- Endpoints


@transaction.atomic
def create_endpoint(*, project: Project, url: str, events: Iterable[str], user: User | None) -> WebhookEndpoint:
    """Register an endpoint with a new secret (show it to the lead: the receiver needs it to verify)."""
    url, chosen = _clean(url, events)
    if WebhookEndpoint.objects.filter(project=project).count() >= MAX_ENDPOINTS:
        raise WebhookRefused(f"a project has at most {MAX_ENDPOINTS} webhook endpoints: delete one first")
    endpoint = WebhookEndpoint.objects.create(
        project=project, url=url, events=chosen, secret=new_secret(), created_by=user
    )
    changes = {"url": [None, url], "events": [None, chosen]}
    audit.record(project=project, actor=user, action="webhook.created", target=_target(endpoint), changes=changes)
    return endpoint


@transaction.atomic
def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    actor: User | None,
    url: str | None = None,
    events: Iterable[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change what was given; deactivating gives up the endpoint's unsent deliveries (redeliver them later)."""
    before = _settings(endpoint)
    if url is not None or events is not None:  # only a new URL or event list is checked again, so an
        # endpoint whose URL a later setting refuses can still be deactivated (e.g. when its lead leaves)
        url, chosen = _clean(endpoint.url if url is None else url, endpoint.events if events is None else events)
        endpoint.url, endpoint.events = url, chosen
    if active is not None and active != endpoint.active:
        endpoint.active = active
        if not active:
            _give_up_open(endpoint)
    endpoint.save(update_fields=["url", "events", "active"])
    changes = audit.diff(before, _settings(endpoint))
    if changes:
        target = _target(endpoint)
        audit.record(project=endpoint.project, actor=actor, action="webhook.updated", target=target, changes=changes)
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, actor: User | None) -> WebhookEndpoint:
    """A new secret at once: from now on, attempts (retries and redeliveries too) are signed with it."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    audit.record(project=endpoint.project, actor=actor, action="webhook.secret_rotated", target=_target(endpoint))
    return endpoint


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint, actor: User | None) -> None:
    """Remove the endpoint and its log; nothing more is sent to it."""
    changes = audit.diff(_settings(endpoint), {})
    audit.record(
        project=endpoint.project, actor=actor, action="webhook.deleted", target=_target(endpoint), changes=changes
    )
    endpoint.delete()


def _settings(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "events": list(endpoint.events), "active": endpoint.active}


def _target(endpoint: WebhookEndpoint) -> str:
    """How the audit log names an endpoint (its secret is never in the log)."""
    return f"webhook {endpoint.pk}: {endpoint.url}"[:200]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _clean(url: str, events: Iterable[str]) -> tuple[str, list[str]]:
    url = url.strip()
    if len(url) > 2000:
        raise WebhookRefused("url: at most 2000 characters")
    try:
        sending.check_url(url)
    except sending.Refused as refused:
        raise WebhookRefused(str(refused)) from None
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown:
        raise WebhookRefused(f"events: {', '.join(unknown)} is not an event; choose from {', '.join(EVENTS)}")
    if not chosen:
        raise WebhookRefused("events: choose at least one event")
    return url, chosen


def _give_up_open(endpoint: WebhookEndpoint) -> None:
    now = timezone.now()
    WebhookDelivery.objects.filter(endpoint=endpoint, status__in=OPEN).update(
        status=WebhookDelivery.Status.GAVE_UP,
        next_attempt_at=None,
        last_error="the endpoint was deactivated: activate it, then redeliver",
        updated_at=now,
    )


# --- Events


def active_endpoints(project: Project) -> list[WebhookEndpoint]:
    """The project's active endpoints. A project read by annotation.access.access_assignment already
    knows whether it has any (`has_active_webhooks`, read with the assignment), so a request's events in
    the common case, a project without webhooks, cost no query."""
    if getattr(project, "has_active_webhooks", True) is False:
        return []
    return list(WebhookEndpoint.objects.filter(project=project, active=True))


def emit(
    *, project: Project, event: str, data: dict[str, Any], endpoints: list[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """Record `event` for every active endpoint of the project subscribed to it (`endpoints`, when the
    caller read them already), and send each after the caller's transaction commits (nothing is sent
    for a change that rolls back). Call it inside the state change it reports."""
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not a webhook event; add it to EVENTS first")
    endpoints = [e for e in (active_endpoints(project) if endpoints is None else endpoints) if event in e.events]
    if not endpoints:
        return []
    payload = envelope(project=project, event=event, data=data)
    return _enqueue([_delivery(e, event, payload) for e in endpoints])


def send_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `ping` to this endpoint alone, to check the URL and the receiver's signature check."""
    if not endpoint.active:
        raise WebhookRefused("the endpoint is deactivated: activate it first")
    data = {"endpoint": endpoint.pk, "events": endpoint.events, "message": "A test ping from the platform."}
    return _enqueue([_delivery(endpoint, PING, envelope(project=endpoint.project, event=PING, data=data))])[0]


def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same event (same id and body) with a fresh retry window, signed with the
    endpoint's current secret."""
    if not delivery.endpoint.active:
        raise WebhookRefused("the endpoint is deactivated: activate it first")
    again = WebhookDelivery(
        endpoint=delivery.endpoint, event=delivery.event, event_id=delivery.event_id, payload=delivery.payload
    )
    return _enqueue([again])[0]


def envelope(*, project: Project, event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "project": project.slug,
        "data": data,
    }


def _delivery(endpoint: WebhookEndpoint, event: str, payload: dict[str, Any]) -> WebhookDelivery:
    return WebhookDelivery(endpoint=endpoint, event=event, event_id=uuid.UUID(payload["id"]), payload=payload)


def _enqueue(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Save the deliveries as due now and enqueue their jobs after commit. A broker that is down then
    costs nothing but time: the sweep sends what is due (robust: the caller's change stands)."""
    from annotation.webhooks import jobs

    now = timezone.now()
    for delivery in deliveries:
        delivery.next_attempt_at = now
        delivery.save()
        transaction.on_commit(functools.partial(jobs.deliver.delay, delivery.pk), robust=True)
    return deliveries


# --- What the events say (the rooms call these inside their state changes)


def judgment_submitted(*, judgment: Judgment) -> None:
    """judgment.submitted, and task.completed when this submission brings the task to its overlap."""
    assignment = judgment.assignment
    task = assignment.task
    project = task.project
    endpoints = active_endpoints(project)  # read once for both events
    emit(project=project, event="judgment.submitted", data=_judgment_data(assignment, judgment), endpoints=endpoints)
    if task.gold_answer is not None or not any("task.completed" in e.events for e in endpoints):
        return  # nobody listens for it: nothing to count
    submitted = Assignment.objects.filter(task=task, status=Assignment.Status.SUBMITTED).count()
    if submitted == project.overlap:
        data = {"task": task.external_id, "submitted": submitted, "overlap": project.overlap}
        emit(project=project, event="task.completed", data=data, endpoints=endpoints)


def judgment_reviewed(*, review: Review) -> None:
    """judgment.reviewed: the verdict, the score, and which judgment it is on."""
    assignment = review.assignment
    judgment = Judgment.objects.filter(assignment=assignment).first()
    data = {
        **_judgment_data(assignment, judgment),
        "review_id": review.pk,
        "verdict": review.verdict,
        "score": review.score,
    }
    emit(project=assignment.task.project, event="judgment.reviewed", data=data)


def task_flagged(*, flag: TaskFlag) -> None:
    """task.flagged: the task, the reason and the annotator's note, for the lead to act on."""
    data = {
        "flag_id": flag.pk,
        "task": flag.task.external_id,
        "assignment_id": flag.assignment_id,
        "annotator": pseudonym(flag.annotator_id),
        "reason": flag.reason,
        "note": flag.note,
    }
    emit(project=flag.task.project, event="task.flagged", data=data)


def annotator_flagged(*, project: Project, annotator_id: int, reason: str, facts: dict[str, Any]) -> None:
    """annotator.flagged: who (their pseudonym), why, and the figures behind it."""
    data = {"annotator": pseudonym(annotator_id), "reason": reason, **facts}
    emit(project=project, event="annotator.flagged", data=data)


def _judgment_data(assignment: Assignment, judgment: Judgment | None) -> dict[str, Any]:
    return {
        "judgment_id": judgment.pk if judgment else None,
        "assignment_id": assignment.pk,
        "task": assignment.task.external_id,
        "annotator": pseudonym(assignment.annotator_id),
        "submitted_at": judgment.submitted_at.isoformat() if judgment and judgment.submitted_at else None,
    }


# --- Delivery


def body_of(payload: dict[str, Any]) -> bytes:
    """The request body: the same bytes for every attempt of a delivery."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """X-Webhook-Signature: sha256= and the hex HMAC-SHA256, keyed by the secret, of "timestamp.body"."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers_for(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Webhook-Id": str(delivery.event_id),
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


def deliver(*, delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Make the delivery's next attempt if it is due and nobody else is making it (a job delivered twice,
    or the sweep's copy, finds it claimed and does nothing); record the answer and what comes next."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now, endpoint__active=True
    ).update(next_attempt_at=now + CLAIM, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    timestamp = int(now.timestamp())
    body = body_of(delivery.payload)
    answer = sending.post(delivery.endpoint.url, body, headers_for(delivery, body, timestamp))
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=now,
        response_code=answer.status,
        duration_ms=answer.duration_ms,
        error=answer.error,
        response_body=answer.body,
    )
    _settle(delivery, answer, now)
    return delivery


def _settle(delivery: WebhookDelivery, answer: sending.Answer, now: dt.datetime) -> None:
    """Delivered on a 2xx; otherwise failed with the next attempt after the backoff, or given up when
    that would fall after the window."""
    next_at: dt.datetime | None = None
    if answer.ok:
        status = WebhookDelivery.Status.DELIVERED
    else:
        next_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        closes = delivery.created_at + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        status = WebhookDelivery.Status.FAILED if next_at <= closes else WebhookDelivery.Status.GAVE_UP
        next_at = next_at if status == WebhookDelivery.Status.FAILED else None
    delivery.status, delivery.next_attempt_at = status, next_at
    delivery.last_response_code, delivery.last_duration_ms = answer.status, answer.duration_ms
    delivery.last_error = answer.error or ("" if answer.ok else f"the receiver answered {answer.status}")
    delivery.save(
        update_fields=[
            "status",
            "next_attempt_at",
            "updated_at",
            "last_response_code",
            "last_duration_ms",
            "last_error",
        ]
    )


def due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries whose next attempt is due, the longest waiting first (the sweep enqueues them)."""
    rows = WebhookDelivery.objects.filter(
        status__in=OPEN, next_attempt_at__lte=now or timezone.now(), endpoint__active=True
    ).order_by("next_attempt_at")
    return list(rows.values_list("pk", flat=True)[:limit])
