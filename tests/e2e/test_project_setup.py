"""Project setup in a real browser, as a new lead with no staff rights: create a project with a custom
rubric through the visual editor, watch the previews follow, save, and find it all on the settings page.
With SCREENSHOTS_DIR set, the README's screenshots are written there (docs/project-setup*.png)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from tasks.models import AuditEvent, Membership, Project, Role, User


@pytest.fixture
def new_lead(transactional_db: None) -> User:
    user = User.objects.create_user("e2e-lead", password="e2e-password-1")
    user.user_permissions.add(Permission.objects.get(codename="create_project"))
    return user


def shoot(target: Any, name: str, **options: Any) -> None:
    """A screenshot of a page or an element for the README, only when SCREENSHOTS_DIR is set."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        target.screenshot(path=str(Path(folder) / f"{name}.png"), **options)


def row(page: Any, noun: str, number: int, column: str) -> Any:
    return page.get_by_label(f"{column} of {noun} {number}", exact=True)


def test_a_new_lead_creates_a_project_with_a_custom_rubric(browser_page, live_server, new_lead) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "e2e-lead")
    page.fill("input[name=password]", "e2e-password-1")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/projects/")
    page.click("#new-project")
    page.wait_for_selector(".list-editor table")

    page.fill("#id_slug", "sql-evals")
    page.fill("#id_name", "SQL <evals>")
    page.fill("#id_instructions", "Check **every** query.\n\n<script>alert(1)</script>")
    preview = page.locator("#instructions-preview")
    preview.locator("strong", has_text="every").wait_for()  # rendered on the server, sanitized
    assert preview.locator("script").count() == 0

    rubric = page.locator("[data-editor=rubric]")
    for _ in range(3):  # keep correctness and efficiency of the five defaults
        rubric.get_by_role("button", name="Remove dimension 3").click()
    rubric.get_by_role("button", name="Add dimension").click()
    row(page, "dimension", 3, "Label").fill("Injection <safety>")
    assert row(page, "dimension", 3, "Key").input_value() == "injection_safety"  # made from the label
    row(page, "dimension", 3, "Help").fill("Are parameters bound, never pasted in?")
    row(page, "dimension", 3, "Min").fill("0")
    row(page, "dimension", 3, "Max").fill("3")
    row(page, "dimension", 3, "Required").uncheck()
    rubric.get_by_role("button", name="Move dimension 3 up").click()

    shown = page.locator("#rubric-preview")
    header = shown.locator("thead th").nth(2)
    header.filter(has_text="Injection <safety>").wait_for()  # the new dimension, second of three
    assert "(optional)" in header.text_content()  # the table heads are upper-cased by CSS
    assert "(optional)" not in shown.locator("thead th").nth(1).text_content()  # correctness: required
    options = shown.get_by_label("Injection <safety> of A").locator("option")
    assert options.all_inner_texts() == ["\u2013", "0", "1", "2", "3"]  # the dash: unrated
    shoot(page, "project-setup", full_page=True)
    shoot(page.locator("#rubric-section"), "project-setup-rubric")

    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(f"{live_server.url}/projects/sql-evals/settings/")

    project = Project.objects.get(slug="sql-evals")
    assert project.name == "SQL <evals>"
    assert [d["key"] for d in project.rubric] == ["correctness", "injection_safety", "efficiency"]
    assert project.rubric[1] == {
        "key": "injection_safety",
        "label": "Injection <safety>",
        "help": "Are parameters bound, never pasted in?",
        "min": 0,
        "max": 3,
        "required": False,
    }
    assert Membership.objects.get(project=project, user=new_lead).role == Role.LEAD
    assert not User.objects.get(pk=new_lead.pk).is_staff
    assert AuditEvent.objects.filter(project=project, action="project.created", actor=new_lead).exists()

    # the settings page shows the saved rubric: its keys are read-only now, the preview has it
    assert row(page, "dimension", 2, "Key").get_attribute("readonly") is not None
    page.locator("#rubric-preview thead th", has_text="Injection <safety>").wait_for()
    page.fill("#id_overlap", "3")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".messages", has_text="Saved: overlap.").wait_for()
    assert Project.objects.get(slug="sql-evals").overlap == 3
    page.goto(f"{live_server.url}/projects/sql-evals/")
    page.get_by_role("link", name="Audit log").click()
    page.locator("#audit-log", has_text="project.created").wait_for()
    shoot(page, "project-setup-audit", full_page=True)
