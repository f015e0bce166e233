"""A delivery's signature verifies with the README's own snippet, and nothing forged, altered or old does."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annotation.models import WebhookDelivery
from annotation.webhooks import services as webhooks
from tasks.models import Project
from tests.annotation.webhooks.conftest import Receiver, endpoint_for

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_verify() -> Callable[..., bool]:
    """The `verify` function of the README's Webhooks section, executed as a receiver would paste it."""
    section = README.read_text(encoding="utf-8").split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    snippet = next(block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "def verify" in block)
    assert len([line for line in snippet.splitlines() if line.strip()]) <= 10  # ten lines of code
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - the documented code, from our own README
    verify: Callable[..., bool] = namespace["verify"]
    return verify


@pytest.fixture
def delivered(project: Project, receiver: Receiver, allow_private: None) -> tuple[str, dict[str, str], bytes]:
    """One ping through the real receiver: the secret, and the headers and body that arrived."""
    endpoint = endpoint_for(project, receiver.url)
    delivery = webhooks.send_ping(endpoint=endpoint)
    webhooks.deliver(delivery_id=delivery.pk)
    (request,) = receiver.requests
    return endpoint.secret, request.headers, request.body


def test_it_verifies_with_the_readme_snippet(delivered: tuple[str, dict[str, str], bytes]) -> None:
    secret, headers, body = delivered

    assert readme_verify()(secret, headers, body) is True
    assert headers["X-Webhook-Signature"].startswith("sha256=")
    assert headers["X-Webhook-Event"] == "ping" and headers["Content-Type"] == "application/json"


def test_it_does_not_verify_an_altered_body_a_wrong_secret_or_a_moved_timestamp(
    delivered: tuple[str, dict[str, str], bytes],
) -> None:
    secret, headers, body = delivered
    verify = readme_verify()
    moved = {**headers, "X-Webhook-Timestamp": str(int(headers["X-Webhook-Timestamp"]) - 1)}

    assert verify(secret, headers, body.replace(b"ping", b"pong")) is False
    assert verify(secret + "x", headers, body) is False
    assert verify(secret, moved, body) is False  # the timestamp is signed too


def test_a_replay_after_the_tolerance_is_refused(project: Project, receiver: Receiver, allow_private: None) -> None:
    endpoint = endpoint_for(project, receiver.url)
    delivery = webhooks.send_ping(endpoint=endpoint)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=an_hour_ago)

    webhooks.deliver(delivery_id=delivery.pk, now=an_hour_ago)  # what a request captured then looks like

    (request,) = receiver.requests
    assert int(request.headers["X-Webhook-Timestamp"]) < time.time() - 3000
    assert readme_verify()(endpoint.secret, request.headers, request.body) is False


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"whsec_k", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()

    assert webhooks.sign("whsec_k", 1700000000, b'{"a":1}') == f"sha256={expected}"
