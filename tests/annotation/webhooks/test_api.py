"""The webhooks API: token-authenticated, leads only, in the OpenAPI schema; the secret only on create
and from the secret endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import WebhookDelivery, WebhookEndpoint
from annotation.webhooks import services as webhooks
from tasks.models import Project, User


def api(user: User | None) -> Client:
    """A client that authenticates with the user's token (none: anonymous)."""
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"})


@pytest.fixture
def endpoint(project: Project) -> WebhookEndpoint:
    return webhooks.create_endpoint(
        project=project, url="https://hooks.example.com/in", events=["export.finished"], user=None
    )


@pytest.fixture
def delivery(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return webhooks.send_ping(endpoint=endpoint)


def calls(project: Project, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> list[tuple[str, str, Any, int]]:
    """Every operation, with what a lead gets for it."""
    body = {"url": "https://hooks.example.com/v2", "events": ["task.flagged"]}
    return [
        ("get", f"/api/v1/projects/{project.slug}/webhooks", None, 200),
        ("post", f"/api/v1/projects/{project.slug}/webhooks", body, 201),
        ("get", f"/api/v1/webhooks/{endpoint.pk}", None, 200),
        ("patch", f"/api/v1/webhooks/{endpoint.pk}", {"events": ["task.completed"]}, 200),
        ("get", f"/api/v1/webhooks/{endpoint.pk}/secret", None, 200),
        ("post", f"/api/v1/webhooks/{endpoint.pk}/secret", None, 200),
        ("post", f"/api/v1/webhooks/{endpoint.pk}/ping", None, 202),
        ("get", f"/api/v1/webhooks/{endpoint.pk}/deliveries", None, 200),
        ("post", f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver", None, 202),
        ("delete", f"/api/v1/webhooks/{endpoint.pk}", None, 204),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 404), ("annotator", 403), ("reviewer", 403), ("lead", None), ("staff", None)],
)
def test_each_operation_is_for_leads_only(
    request: pytest.FixtureRequest,
    project: Project,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    who: str,
    status: int | None,
) -> None:
    client = api(None if who == "anonymous" else request.getfixturevalue(who))

    got = [
        getattr(client, method)(url, body, content_type="application/json").status_code
        for method, url, body, _ in calls(project, endpoint, delivery)
    ]

    assert got == [status or ok for *_, ok in calls(project, endpoint, delivery)]


def test_create_returns_the_secret_once_and_listings_never(client: Client, project: Project, lead: User) -> None:
    lead_api = api(lead)

    created = lead_api.post(
        f"/api/v1/projects/{project.slug}/webhooks",
        {"url": "https://hooks.example.com/a", "events": ["export.finished"]},
        content_type="application/json",
    ).json()

    stored = WebhookEndpoint.objects.get(pk=created["id"])
    assert created["secret"] == stored.secret and created["created_by"] == lead.username
    listed = lead_api.get(f"/api/v1/projects/{project.slug}/webhooks").json()
    one = lead_api.get(f"/api/v1/webhooks/{stored.pk}").json()
    assert "secret" not in listed[0] and "secret" not in one and stored.secret not in str(listed)
    rotated = lead_api.post(f"/api/v1/webhooks/{stored.pk}/secret")
    stored.refresh_from_db()
    assert rotated.json() == {"secret": stored.secret} != {"secret": created["secret"]}
    assert rotated["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "http://127.0.0.1/x", "events": ["export.finished"]}, "not a public address"),
        ({"url": "https://hooks.example.com/x", "events": ["judgment.deleted"]}, "not a valid choice"),
        ({"url": "https://hooks.example.com/x", "events": []}, "This list may not be empty"),
        ({"url": "gopher://hooks.example.com/x", "events": ["export.finished"]}, "http:// or https://"),
    ],
)
def test_a_bad_endpoint_is_refused_with_the_reason(
    project: Project, lead: User, body: dict[str, Any], message: str
) -> None:
    answer = api(lead).post(f"/api/v1/projects/{project.slug}/webhooks", body, content_type="application/json")

    assert answer.status_code == 400 and message in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_patch_deactivates_and_the_log_lists_every_attempt(
    project: Project, lead: User, endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> None:
    lead_api = api(lead)

    patched = lead_api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"active": False}, content_type="application/json")

    assert patched.status_code == 200 and patched.json()["active"] is False
    page = lead_api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries").json()
    (row,) = page["results"]
    assert (row["id"], row["event"], row["status"], row["event_id"]) == (
        delivery.pk,
        "ping",
        "gave_up",
        str(delivery.event_id),
    )
    assert row["attempt_log"] == [] and row["payload"]["id"] == str(delivery.event_id)
    refused = lead_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver")
    assert refused.status_code == 409 and "activate it first" in refused.json()["detail"]


def test_the_schema_documents_the_webhooks_api(client: Client, lead: User) -> None:
    client.force_login(lead)

    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {
        "/api/v1/projects/{slug}/webhooks",
        "/api/v1/webhooks/{endpoint_id}",
        "/api/v1/webhooks/{endpoint_id}/secret",
        "/api/v1/webhooks/{endpoint_id}/ping",
        "/api/v1/webhooks/{endpoint_id}/deliveries",
        "/api/v1/webhook-deliveries/{delivery_id}/redeliver",
    } <= set(paths)
    assert set(paths["/api/v1/webhooks/{endpoint_id}"]) >= {"get", "patch", "delete"}
