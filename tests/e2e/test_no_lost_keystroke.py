"""Issue 12: never lose a keystroke. A fast reload used to lose the newest text: the save sent on leaving
landed after the reloaded page rendered the older draft, and that page's next autosave overwrote it."""

from __future__ import annotations

from typing import Any

from annotation.models import Assignment, Judgment
from tests.e2e import test_workspace_flow as flow
from tests.e2e.test_workspace_flow import start_working

annotator_with_tasks = flow.annotator_with_tasks  # the workspace flow's project with tasks

FIRST = "A is correct on every input I tried; B subtracts."
NEWEST = " And B fails the small case, which matters most."


# The save sent on leaving, held back (kept in sessionStorage, which outlives the reload) so that it lands
# only when the test replays it: the race of a fast reload, every time.
HOLD_BEACON = """
const send = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url, body) => {
  if (String(url).endsWith("/draft") && body instanceof FormData && !sessionStorage.getItem("held")) {
    sessionStorage.setItem("held", JSON.stringify({ url: String(url), entries: Array.from(body.entries()) }));
    return true;
  }
  return send(url, body);
};
"""
REPLAY_BEACON = """async () => {
  const held = JSON.parse(sessionStorage.getItem("held"));
  if (!held) return 0;
  const body = new FormData();
  held.entries.forEach(([name, value]) => body.append(name, value));
  return (await fetch(held.url, { method: "POST", body: body })).status;
}"""


def _rationale(assignment: Assignment) -> str:
    return Judgment.objects.get(assignment=assignment).rationale


def test_typing_then_reloading_within_a_second_loses_nothing(browser_page, live_server, annotator_with_tasks) -> None:
    page = browser_page
    page.add_init_script(HOLD_BEACON)
    start_working(page, live_server.url, "e2e-annotator", "e2e")
    assignment = Assignment.objects.get(annotator=annotator_with_tasks, status="active")
    page.fill("#rationale", FIRST)
    page.locator("#save-state", has_text="Draft saved").wait_for()
    page.type("#rationale", NEWEST)  # the autosave waits 1.5 s: the reload comes first
    page.reload()
    page.wait_for_selector("#workspace")
    # now the leaving page's save lands, after the reloaded page rendered (what a slow network does)
    assert page.evaluate(REPLAY_BEACON) == 200
    page.locator("#save-state", has_text="Draft saved").wait_for()
    page.select_option("table.ratings select >> nth=0", "4")  # the next autosave of the whole form
    page.locator("#save-state", has_text="Draft saved").wait_for()
    page.wait_for_timeout(500)
    assert page.input_value("#rationale") == FIRST + NEWEST
    assert _rationale(assignment) == FIRST + NEWEST


def test_an_older_tab_never_overwrites_a_newer_draft(browser_page, live_server, annotator_with_tasks) -> None:
    older = browser_page
    start_working(older, live_server.url, "e2e-annotator", "e2e")
    assignment = Assignment.objects.get(annotator=annotator_with_tasks, status="active")
    older.fill("#rationale", FIRST)
    older.locator("#save-state", has_text="Draft saved").wait_for()

    newer = older.context.browser.new_context().new_page()  # another window, logged in on its own
    newer.goto(f"{live_server.url}/accounts/login/")
    newer.fill("input[name=username]", "e2e-annotator")
    newer.fill("input[name=password]", "e2e-password-1")
    newer.click("button[type=submit]")
    newer.goto(older.url)
    newer.wait_for_selector("#workspace")
    newer.fill("#rationale", FIRST + NEWEST)
    newer.locator("#save-state", has_text="Draft saved").wait_for()

    asked: list[str] = []

    def dismiss(dialog: Any) -> None:  # what a browser does when the question is not answered
        asked.append(dialog.message)
        dialog.dismiss()

    older.on("dialog", dismiss)
    with older.expect_response(lambda r: r.url.endswith("/draft")) as answer:
        older.fill("#rationale", "stale text typed in the older tab")
    assert answer.value.status == 409
    older.locator("#save-state", has_text="Loaded the newer draft").wait_for()
    assert asked and "another tab" in asked[0]
    assert older.input_value("#rationale") == FIRST + NEWEST
    assert _rationale(assignment) == FIRST + NEWEST
