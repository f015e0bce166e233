"""The leads' webhook pages: who may open them, what they do, and that every text on them is escaped."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from annotation.models import WebhookDelivery, WebhookEndpoint
from annotation.webhooks import services as webhooks
from tasks import services
from tasks.models import AuditEvent, Project, Role, User
from tests.conftest import make_user

MARKUP = "<script>alert(1)</script>"


@pytest.fixture
def endpoint(project: Project) -> WebhookEndpoint:
    return webhooks.create_endpoint(
        project=project, url="https://hooks.example.com/in", events=["export.finished"], user=None
    )


def pages(project: Project, endpoint: WebhookEndpoint) -> list[str]:
    return [f"/projects/{project.slug}/webhooks/", f"/projects/{project.slug}/webhooks/{endpoint.pk}/"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("annotator", 403), ("reviewer", 403), ("lead", 200), ("staff", 200)],
)
def test_only_leads_and_staff_open_the_pages(
    request: pytest.FixtureRequest, project: Project, endpoint: WebhookEndpoint, who: str, status: int
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(who))

    assert [client.get(url).status_code for url in pages(project, endpoint)] == [status, status]
    assert [client.post(url, {"action": "ping"}).status_code for url in pages(project, endpoint)[1:]] == [
        302 if status == 200 else status
    ]


def test_an_endpoint_of_another_project_is_not_found_under_this_one(
    client: Client, project: Project, lead: User
) -> None:
    elsewhere = services.create_project(slug="elsewhere", name="Elsewhere", lead=lead)
    theirs = webhooks.create_endpoint(
        project=elsewhere, url="https://hooks.example.com/x", events=["export.finished"], user=None
    )
    client.force_login(lead)

    assert client.get(f"/projects/{project.slug}/webhooks/{theirs.pk}/").status_code == 404


def test_anonymous_callers_are_sent_to_log_in(client: Client, project: Project, endpoint: WebhookEndpoint) -> None:
    for url in pages(project, endpoint):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_a_lead_adds_an_endpoint_and_sees_its_secret_only_when_asked(
    client: Client, project: Project, lead: User
) -> None:
    client.force_login(lead)

    added = client.post(
        f"/projects/{project.slug}/webhooks/",
        {"url": "https://hooks.example.com/new", "events": ["judgment.submitted", "task.completed"]},
    )

    endpoint = WebhookEndpoint.objects.get(project=project)
    assert added.status_code == 302 and added["Location"] == f"/projects/{project.slug}/webhooks/{endpoint.pk}/"
    assert (endpoint.events, endpoint.created_by, endpoint.active) == (
        ["judgment.submitted", "task.completed"],
        lead,
        True,
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.secret not in client.get(added["Location"]).content.decode()
    shown = client.post(added["Location"], {"action": "secret"})
    assert endpoint.secret in shown.content.decode() and shown["Cache-Control"] == "no-store"
    rotated = client.post(added["Location"], {"action": "rotate"})
    endpoint.refresh_from_db()
    assert endpoint.secret in rotated.content.decode() and endpoint.secret not in shown.content.decode()


def test_a_refused_endpoint_says_why_and_keeps_the_form(client: Client, project: Project, lead: User) -> None:
    client.force_login(lead)

    answer = client.post(
        f"/projects/{project.slug}/webhooks/", {"url": "http://10.1.2.3/x", "events": ["task.flagged"]}
    )

    html = answer.content.decode()
    assert answer.status_code == 400 and "not a public address" in html and 'value="http://10.1.2.3/x"' in html
    assert 'value="task.flagged" checked' in html and not WebhookEndpoint.objects.exists()


def test_a_lead_edits_pings_redelivers_and_deletes(
    client: Client, project: Project, lead: User, endpoint: WebhookEndpoint
) -> None:
    client.force_login(lead)
    url = f"/projects/{project.slug}/webhooks/{endpoint.pk}/"

    saved = client.post(url, {"action": "save", "url": "https://hooks.example.com/v2", "events": ["task.flagged"]})
    endpoint.refresh_from_db()
    assert saved.status_code == 302 and (endpoint.url, endpoint.events, endpoint.active) == (
        "https://hooks.example.com/v2",
        ["task.flagged"],
        False,  # the box was not ticked
    )
    client.post(url, {"action": "save", "url": endpoint.url, "events": ["task.flagged"], "active": "on"})
    assert client.post(url, {"action": "ping"}).status_code == 302
    ping = WebhookDelivery.objects.get(endpoint=endpoint)
    assert ping.event == "ping"
    assert client.post(url, {"action": "redeliver", "delivery": str(ping.pk)}).status_code == 302
    assert (
        list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_id", flat=True))
        == [ping.event_id] * 2
    )
    assert client.post(url, {"action": "redeliver", "delivery": "999999"}).status_code == 400
    deleted = client.post(url, {"action": "delete"})
    assert deleted.status_code == 302 and not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_every_form_needs_its_csrf_token(project: Project, lead: User, endpoint: WebhookEndpoint) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(lead)

    create = strict.post(
        f"/projects/{project.slug}/webhooks/", {"url": "https://a.example.com", "events": ["export.finished"]}
    )
    rotate = strict.post(pages(project, endpoint)[1], {"action": "rotate"})

    assert (create.status_code, rotate.status_code) == (403, 403)
    assert WebhookEndpoint.objects.count() == 1 and WebhookEndpoint.objects.get().secret == endpoint.secret
    html = strict.get(pages(project, endpoint)[1]).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 4


def test_markup_in_a_url_an_error_and_an_answer_is_escaped(client: Client, project: Project, lead: User) -> None:
    endpoint = webhooks.create_endpoint(
        project=project, url=f"https://hooks.example.com/{MARKUP}", events=["export.finished"], user=None
    )
    (delivery,) = webhooks.emit(project=project, event="export.finished", data={})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", last_error=MARKUP)
    delivery.attempt_log.create(number=1, started_at=delivery.created_at, response_code=500, response_body=MARKUP)
    client.force_login(lead)

    for url in pages(project, endpoint):
        html = client.get(url).content.decode()
        assert MARKUP not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_log_is_newest_first_a_page_at_a_time(
    client: Client, project: Project, lead: User, endpoint: WebhookEndpoint
) -> None:
    made = [webhooks.emit(project=project, event="export.finished", data={"n": n})[0] for n in range(30)]
    client.force_login(lead)
    url = pages(project, endpoint)[1]

    first, second = client.get(url).content.decode(), client.get(url + "?page=2").content.decode()

    assert first.count('id="delivery-') == 25 and second.count('id="delivery-') == 5
    assert first.index(f'id="delivery-{made[-1].pk}"') < first.index(f'id="delivery-{made[-2].pk}"')
    assert f'id="delivery-{made[0].pk}"' in second and "page 2 of 2" in second


def test_the_project_page_links_webhooks_for_leads_only(
    client: Client, project: Project, lead: User, reviewer: User
) -> None:
    link = f'href="/projects/{project.slug}/webhooks/"'
    client.force_login(reviewer)
    assert link not in client.get(f"/projects/{project.slug}/").content.decode()
    client.force_login(lead)
    assert link in client.get(f"/projects/{project.slug}/").content.decode()


def test_a_member_made_lead_gets_in(client: Client, project: Project, endpoint: WebhookEndpoint) -> None:
    promoted = make_user("newly-lead")
    services.add_member(project=project, user=promoted, role=Role.LEAD)
    client.force_login(promoted)

    assert client.get(pages(project, endpoint)[1]).status_code == 200


def test_every_change_of_an_endpoint_is_in_the_audit_log_without_its_secret(
    client: Client, project: Project, lead: User
) -> None:
    client.force_login(lead)
    client.post(
        f"/projects/{project.slug}/webhooks/", {"url": "https://hooks.example.com/a", "events": ["task.flagged"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    url = pages(project, endpoint)[1]
    old_secret = endpoint.secret

    client.post(
        url, {"action": "save", "url": endpoint.url, "events": ["task.flagged", "task.completed"], "active": "on"}
    )
    client.post(url, {"action": "rotate"})
    client.post(url, {"action": "secret"})  # looking changes nothing
    client.post(url, {"action": "delete"})

    events = list(AuditEvent.objects.filter(project=project).order_by("id"))
    assert [(e.action, e.actor) for e in events] == [
        ("webhook.created", lead),
        ("webhook.updated", lead),
        ("webhook.secret_rotated", lead),
        ("webhook.deleted", lead),
    ]
    assert events[1].changes == {"events": [["task.flagged"], ["task.completed", "task.flagged"]]}
    logged = json.dumps([[e.target, e.changes] for e in events])
    assert old_secret not in logged and "whsec_" not in logged and f"webhook {endpoint.pk}" in events[0].target
