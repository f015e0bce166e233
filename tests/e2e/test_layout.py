"""The workspace's layout for reading code, in a real browser (Debian's Chromium through Playwright) on
the live server: the split with independently scrolled panes, tabs or side by side remembered by the
browser, wrap and expand per response, and no page wider than a phone's screen. No worker is needed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tasks import services
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.conftest import task_line
from tests.e2e.conftest import chromium_page

LONG = "x = [" + ", ".join(str(n) for n in range(120)) + "]"
RESPONSES = [
    {"model": "m-long", "code": f"def add(a, b):\n    {LONG}\n    return a + b\n"},
    {"model": "m-two", "code": "def add(a, b):\n    return b + a\n"},
    {"model": "m-three", "code": "def add(a, b):\n    return sum((a, b))\n"},
]


@pytest.fixture
def annotator(transactional_db: None) -> User:
    user = User.objects.create_user("layout-annotator", password="e2e-password-1")
    project = services.create_project(
        slug="layout", name="Layout", ranking_mode=RankingMode.RANKING, min_tests=0, min_rationale_chars=20
    )
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    # A long Markdown prompt, so a page without the split would push the responses far down.
    prompt = "Write `add(a, b)`.\n\n" + "\n\n".join(f"Requirement {n}: it must add." for n in range(60))
    import_tasks(project=project, lines=[json.dumps(task_line("lay-1", responses=RESPONSES, prompt=prompt))])
    return user


def open_workspace(page: Any, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", "layout-annotator")
    page.fill("input[name=password]", "e2e-password-1")
    page.click("button[type=submit]")
    page.goto(f"{url}/projects/layout/")
    page.click("text=Start working")
    page.wait_for_selector("#workspace")
    page.wait_for_selector(".CodeMirror")  # the deferred scripts have run


def box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


def visible_responses(page: Any) -> list[str]:
    return page.eval_on_selector_all(".response", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.display)")


def test_panes_sit_side_by_side_and_scroll_on_their_own(browser_page, live_server, annotator) -> None:
    page = browser_page  # 1400 px wide
    open_workspace(page, live_server.url)
    read, work = box(page, "#read-pane"), box(page, "#work-pane")
    assert work["x"] >= read["x"] + read["width"] - 1  # work pane to the right, not below
    assert box(page, "#responses")["y"] < 1000  # the long prompt does not push the responses off screen

    page.evaluate("document.getElementById('work-pane').scrollTop = 600")
    assert page.evaluate("document.getElementById('work-pane').scrollTop") > 0  # it does scroll
    assert box(page, "#read-pane")["y"] == read["y"]  # the reading side did not move
    assert box(page, ".prompt-box > summary")["y"] == pytest.approx(box(page, "#read-pane")["y"], abs=2)


def test_tabs_show_one_response_follow_n_and_p_and_are_remembered(browser_page, live_server, annotator) -> None:
    page = browser_page
    open_workspace(page, live_server.url)
    assert visible_responses(page) == ["A"]  # three responses start as tabs in a browser with no choice yet
    page.click("h2:has-text('Your judgment')")
    page.keyboard.press("n")
    assert visible_responses(page) == ["B"]
    assert page.get_attribute("#tab-B", "aria-selected") == "true"
    page.keyboard.press("p")
    page.keyboard.press("p")
    assert visible_responses(page) == ["C"]
    page.click("#tab-A")
    assert visible_responses(page) == ["A"]

    page.click("[data-view=side]")
    assert visible_responses(page) == ["A", "B", "C"]
    page.reload()
    page.wait_for_selector(".CodeMirror")
    assert visible_responses(page) == ["A", "B", "C"]  # remembered over the default
    assert page.get_attribute("[data-view=side]", "aria-pressed") == "true"

    page.click("[data-view=tabs]")
    page.reload()
    page.wait_for_selector(".CodeMirror")
    assert page.get_attribute("[data-view=tabs]", "aria-pressed") == "true"
    assert len(visible_responses(page)) == 1


def test_wrap_keeps_long_lines_in_view_with_their_numbers(browser_page, live_server, annotator) -> None:
    page = browser_page
    open_workspace(page, live_server.url)
    long_card = None  # the letters are shuffled per annotator: find the long one
    for letter in "ABC":
        if LONG[:20] in page.inner_text(f"#response-{letter} .code"):
            long_card = f"#response-{letter}"
    assert long_card
    page.click(f"#tab-{long_card[-1]}")  # three responses open as tabs: show the long one
    code = f"{long_card} .code"
    overflow = "el => el.scrollWidth - el.clientWidth"
    assert page.eval_on_selector(code, overflow) > 100  # clipped, scrollable sideways

    page.click(f"{long_card} [data-action=wrap]")
    assert page.eval_on_selector(code, overflow) <= 1
    number, line = box(page, f"{long_card} tr[data-line='3'] td.ln"), box(page, f"{long_card} tr[data-line='3'] td.lc")
    assert number["y"] == line["y"]  # line 3 starts level with its number, after line 2 wrapped
    assert box(page, f"{long_card} tr[data-line='2'] td.lc")["height"] > 2 * number["height"]


def test_expand_fills_the_window_and_escape_returns(browser_page, live_server, annotator) -> None:
    page = browser_page
    open_workspace(page, live_server.url)
    page.click("[data-view=side]")
    before = box(page, "#response-B")
    page.click("#response-B [data-action=expand]")
    wide = box(page, "#response-B")
    assert wide["width"] > 1300 and wide["width"] > 2 * before["width"]
    covered = page.evaluate(
        """() => { const r = document.getElementById('response-B').getBoundingClientRect();
           return [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.5, 0.05]].filter(([fx, fy]) =>
             !document.elementFromPoint(r.x + fx * r.width, r.y + fy * r.height).closest('#response-B')); }"""
    )
    top = not covered
    assert top  # nothing (work pane, bar) is painted over it
    page.keyboard.press("Escape")
    assert box(page, "#response-B")["width"] == pytest.approx(before["width"], abs=2)


@pytest.mark.parametrize("width", [1024, 390])
def test_no_page_is_wider_than_the_window(monkeypatch, live_server, annotator, width) -> None:
    with chromium_page(monkeypatch, viewport={"width": width, "height": 800}) as page:
        open_workspace(page, live_server.url)
        for path in ("", "/projects/", "/projects/layout/", "/projects/layout/my-work/"):
            if path:
                page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path or "workspace"
