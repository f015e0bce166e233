"""The workspace's keyboard path for n-way ranking, and where focus lands after a refused submit, in a real
browser (Debian's Chromium driven by Playwright) on the live server. No worker: the project needs no test run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotation.models import Assignment, Judgment
from tasks import services
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.conftest import task_line


@pytest.fixture
def ranker(transactional_db: None) -> User:
    """An annotator on a three-way ranking project that asks for no test run."""
    user = User.objects.create_user("kb-annotator", password="e2e-password-1")
    project = services.create_project(
        slug="kb", name="Keyboard", ranking_mode=RankingMode.RANKING, min_tests=0, min_rationale_chars=20
    )
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task_line("kb-1", responses=3))])
    return user


def start_working(page: Any, url: str) -> Assignment:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", "kb-annotator")
    page.fill("input[name=password]", "e2e-password-1")
    page.click("button[type=submit]")
    page.goto(f"{url}/projects/kb/")
    page.click("text=Start working")
    page.wait_for_selector("#workspace")
    page.wait_for_selector(".CodeMirror")  # workspace.js has run (deferred, after the editor)
    return Assignment.objects.get(annotator__username="kb-annotator", status="active")


def press_outside_fields(page: Any, *keys: str) -> None:
    page.click("h2:has-text('Your judgment')")  # a click on plain text: no field has the focus
    for key in keys:
        page.keyboard.press(key)


def test_a_letter_then_a_digit_ranks_that_response_and_autosaves(browser_page, live_server, ranker) -> None:
    page = browser_page
    assignment = start_working(page, live_server.url)
    press_outside_fields(page, "b", "1", "a", "2")
    assert page.input_value("select[name=rank-B]") == "1"
    assert page.input_value("select[name=rank-A]") == "2"
    assert page.input_value("select[name=rank-C]") == ""
    page.locator("#save-state", has_text="Draft saved").wait_for()
    judgment = Judgment.objects.get(assignment=assignment)
    stored = {assignment.display_label(label): label for label in assignment.response_order}
    assert judgment.ranking == [[stored["B"]], [stored["A"]]]


def test_keys_typed_into_the_rationale_do_not_change_ranks(browser_page, live_server, ranker) -> None:
    page = browser_page
    start_working(page, live_server.url)
    page.click("#rationale")
    page.keyboard.type("b1 a2 c3")
    assert page.input_value("#rationale") == "b1 a2 c3"
    assert [page.input_value(f"select[name=rank-{x}]") for x in "ABC"] == ["", "", ""]


def test_the_help_overlay_lists_the_ranking_keys(browser_page, live_server, ranker) -> None:
    page = browser_page
    start_working(page, live_server.url)
    page.click("#help-button")
    help_text = page.inner_text("#help")
    assert "pick a response by its letter" in help_text and "A" in help_text and "C" in help_text


def test_a_refused_submit_focuses_the_first_error_naming_response_and_field(browser_page, live_server, ranker) -> None:
    page = browser_page
    start_working(page, live_server.url)
    press_outside_fields(page, "b", "1")
    page.click("#submit")
    page.wait_for_selector("#submit-errors")
    page.wait_for_selector(".CodeMirror")
    focused = page.evaluate("document.activeElement.id")
    first = page.locator("#submit-errors li").first
    assert focused == first.get_attribute("id") == "error-ranking"
    assert first.inner_text().startswith("Ranking:") and "A, C" in first.inner_text()
    ratings = page.inner_text("#error-ratings")
    assert ratings.startswith("Ratings:") and "A, B, C" in ratings
