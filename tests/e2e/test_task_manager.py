"""A lead without staff rights finds tasks by their text and marks three of them gold in one action, in a
real browser (Debian's Chromium through Playwright) against the live server."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.models import Task, User
from tests.annotation.manager.conftest import add_tasks, judge, manager_project
from tests.conftest import task_line
from tests.e2e.conftest import chromium_page
from tests.e2e.test_accessibility import ALSO_REQUIRED, AXE, serious_violations


def test_a_lead_finds_tasks_by_text_and_marks_three_gold_in_one_action(
    browser_page: Any, live_server: Any, lead: User, reviewer: User, annotator: User
) -> None:
    tm = manager_project(lead=lead, reviewer=reviewer, annotators=[annotator])
    tasks = add_tasks(
        tm,
        *(task_line(f"slug-{i}", prompt=f"Write `slugify(text)`, case {i}.") for i in range(3)),
        task_line("other", prompt="Write `add(a, b)`."),
    )
    for task in tasks:
        judge(task, annotator, "B", reviewer=reviewer)  # accepted, with B alone in first place
    assert not lead.is_staff
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", lead.username)
    page.fill("input[name=password]", f"{lead.username}-pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/projects/{tm.slug}/")

    page.click("a.button:text-is('Tasks')")
    page.fill("#task-filter input[name=q]", "SLUGIFY")
    page.click("#task-filter button[type=submit]")
    rows = page.locator("#task-list tbody tr")
    assert rows.count() == 3 and "other" not in page.inner_text("#task-list")
    page.check("#tick-all")  # the header's box ticks the whole page
    assert [rows.nth(i).locator("input[name=task]").is_checked() for i in range(3)] == [True] * 3
    page.uncheck("input[name=task][value=slug-1]")
    header = page.locator("#tick-all")
    assert header.evaluate("box => [box.checked, box.indeterminate]") == [False, True]  # some, not all
    page.check("input[name=task][value=slug-1]")
    assert page.is_checked("#tick-all")
    page.select_option("#bulk-actions select[name=action]", "mark_gold")
    page.click("#bulk-actions button[value=selected]")

    page.wait_for_selector(".messages li.success")
    assert page.inner_text(".messages li.success") == "3 tasks marked gold."
    assert "q=SLUGIFY" in page.url  # back on the same search
    assert [rows.nth(i).locator(".status").inner_text() for i in range(3)] == ["Gold"] * 3
    assert dict(Task.objects.values_list("external_id", "gold_answer")) == {
        "slug-0": {"preferred": "B"},
        "slug-1": {"preferred": "B"},
        "slug-2": {"preferred": "B"},
        "other": None,
    }


def axe_here(page: Any) -> list[str]:
    """test_accessibility's check, on the page as it is (the confirmation is the answer to a POST)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in found
        if v["impact"] in ("serious", "critical") or v["id"] in ALSO_REQUIRED
    ]


def test_the_task_manager_and_its_confirmation_have_no_serious_accessibility_violation(
    monkeypatch: pytest.MonkeyPatch, live_server: Any, lead: User, reviewer: User, annotator: User
) -> None:
    tm = manager_project(lead=lead, reviewer=reviewer, annotators=[annotator])
    add_tasks(tm, task_line("a"), task_line("b"))
    with chromium_page(monkeypatch, bypass_csp=True) as page:  # axe is a script the CSP would refuse
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", lead.username)
        page.fill("input[name=password]", f"{lead.username}-pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/projects/")
        found = {"list": serious_violations(page, f"{live_server.url}/projects/{tm.slug}/tasks/")}
        page.click("#bulk-actions button[value=filter]")
        page.wait_for_selector("#confirm")
        found["confirmation"] = axe_here(page)

    assert found == {"list": [], "confirmation": []}
