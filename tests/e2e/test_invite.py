"""Issue 13's "done when", in a real browser: a lead with no staff rights invites an annotator by link;
the annotator, in a browser of their own, signs up and starts working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotation.models import Assignment
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Membership, RankingMode, Role, User
from tests.conftest import task_line


@pytest.fixture
def lead_with_tasks(transactional_db: None) -> User:
    lead = User.objects.create_user("e2e-lead", password="e2e-password-1")
    project = services.create_project(slug="e2e-invite", name="Invite E2E", lead=lead, ranking_mode=RankingMode.RANKING)
    import_tasks(project=project, lines=[json.dumps(task_line(f"inv-{i}")) for i in range(2)])
    return lead


def test_a_lead_invites_by_link_and_the_invitee_signs_up_and_starts_working(
    browser_page: Any, live_server: Any, lead_with_tasks: User
) -> None:
    page, url = browser_page, live_server.url
    assert not lead_with_tasks.is_staff
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", "e2e-lead")
    page.fill("input[name=password]", "e2e-password-1")
    page.click("button[type=submit]")
    page.goto(f"{url}/projects/e2e-invite/")
    page.click("text=People")
    page.wait_for_selector("h1:text('People')")
    page.click("button:text('Create link')")
    link = page.input_value("#invite-link")
    assert link.startswith(f"{url}/invite/")
    page.click("button[data-copy=invite-link]")
    page.wait_for_selector("[data-copied=invite-link]:not([hidden])")

    guest = page.context.browser.new_context().new_page()  # another person: no cookies of the lead's
    guest.goto(link)
    assert "as annotator" in guest.inner_text("main")
    guest.fill("input[name=username]", "e2e-newcomer")
    guest.fill("input[name=password1]", "a-long-Chosen-passw0rd")
    guest.fill("input[name=password2]", "a-long-Chosen-passw0rd")
    guest.click("button:text('Create account and join')")
    guest.wait_for_url(f"{url}/projects/e2e-invite/")
    assert "Welcome to Invite E2E" in guest.inner_text(".messages")
    guest.click("button:text('Start working')")
    guest.wait_for_selector("#workspace")

    newcomer = User.objects.get(username="e2e-newcomer")
    assert Membership.objects.get(user=newcomer, project__slug="e2e-invite").role == Role.ANNOTATOR
    assert Assignment.objects.filter(annotator=newcomer, status=Assignment.Status.ACTIVE).count() == 1
