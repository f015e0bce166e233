"""Deactivating an endpoint never fails on its URL: a URL the settings refuse today (a private address
once allowed) still lets the lead, or a member's removal, switch the endpoint off."""

from __future__ import annotations

from typing import Any

import pytest

from annotation.webhooks import services as webhooks
from tests.conftest import claimable_project


@pytest.mark.django_db
def test_an_endpoint_whose_url_is_now_refused_can_still_be_deactivated(settings: Any) -> None:
    project = claimable_project()
    settings.WEBHOOK_ALLOW_PRIVATE = True
    endpoint = webhooks.create_endpoint(project=project, url="http://10.0.0.7/hook", events=["task.flagged"], user=None)
    settings.WEBHOOK_ALLOW_PRIVATE = False  # the operator closed private addresses since
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.update_endpoint(endpoint=endpoint, actor=None, url="http://10.0.0.8/hook")

    webhooks.update_endpoint(endpoint=endpoint, actor=None, active=False)

    endpoint.refresh_from_db()
    assert endpoint.active is False and endpoint.url == "http://10.0.0.7/hook"
