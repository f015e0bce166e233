"""With WEBHOOK_ALLOW_PRIVATE off (the default), nothing is sent to loopback, private, link-local or
other non-public addresses: literal ones are refused when registered, names when they resolve."""

from __future__ import annotations

import pytest

from annotation.models import WebhookEndpoint
from annotation.webhooks import sending
from annotation.webhooks import services as webhooks
from tasks.models import Project
from tests.annotation.webhooks.conftest import Receiver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.5/hook",
        "https://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_a_literal_non_public_address_is_refused_when_registered(project: Project, url: str) -> None:
    with pytest.raises(webhooks.WebhookRefused, match="not a public address"):
        webhooks.create_endpoint(project=project, url=url, events=["export.finished"], user=None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://user:pw@hooks.example.com/x", "user name and password"),
        ("https://hooks.example.com:99999/x", "port"),
        ("hooks.example.com/x", "http:// or https://"),
    ],
)
def test_what_is_not_a_plain_http_url_is_refused(project: Project, url: str, message: str) -> None:
    with pytest.raises(webhooks.WebhookRefused, match=message):
        webhooks.create_endpoint(project=project, url=url, events=["export.finished"], user=None)


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(project: Project, receiver: Receiver) -> None:
    url = receiver.url.replace("127.0.0.1", "localhost")
    endpoint = webhooks.create_endpoint(project=project, url=url, events=["export.finished"], user=None)
    (delivery,) = webhooks.emit(project=project, event="export.finished", data={})

    done = webhooks.deliver(delivery_id=delivery.pk)

    assert receiver.requests == []
    assert done is not None and done.status == "failed" and done.last_response_code is None
    assert "not a public address" in done.last_error and "WEBHOOK_ALLOW_PRIVATE" in done.last_error
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active


def test_the_setting_lets_a_private_receiver_through(project: Project, receiver: Receiver, settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = True
    webhooks.create_endpoint(project=project, url=receiver.url, events=["export.finished"], user=None)
    (delivery,) = webhooks.emit(project=project, event="export.finished", data={})

    webhooks.deliver(delivery_id=delivery.pk)

    assert len(receiver.requests) == 1


def test_a_public_address_is_allowed() -> None:
    sending.check_url("https://93.184.215.14/hook")  # nothing raised
    sending.check_url("https://hooks.example.com/hook")
