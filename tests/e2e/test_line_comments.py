"""Line comments in a real browser: click a line number, shift-click another for a range, pick the category
and severity, save; the autosave keeps it, and after a reload it is still there, in the list and the gutter."""

from __future__ import annotations

from annotation.models import Assignment, Judgment
from tests.e2e import test_workspace_flow as flow
from tests.e2e.test_workspace_flow import start_working

annotator_with_tasks = flow.annotator_with_tasks  # the workspace flow's project with tasks

TEXT = "Off by one <b>here</b>: the loop skips the last item."


def test_a_comment_added_from_the_gutter_survives_a_reload(browser_page, live_server, annotator_with_tasks) -> None:
    page = browser_page
    start_working(page, live_server.url, "e2e-annotator", "e2e")
    assignment = Assignment.objects.get(annotator=annotator_with_tasks, status="active")
    card = page.locator("#response-A")
    card.locator("tr[data-line='1'] td.ln").click()
    card.locator("tr[data-line='2'] td.ln").click(modifiers=["Shift"])
    form = card.locator(".lc-form")
    assert form.locator("input[name=start]").input_value() == "1"
    assert form.locator("input[name=end]").input_value() == "2"
    form.locator("select[name=category]").select_option("performance")
    form.locator("select[name=severity]").select_option("critical")
    form.locator("textarea[name=text]").fill(TEXT)
    form.locator("button[type=submit]").click()
    page.locator("#save-state", has_text="Draft saved").wait_for()

    stored = Judgment.objects.get(assignment=assignment).line_comments
    assert [(c["label"], c["start"], c["end"], c["category"], c["severity"], c["text"]) for c in stored] == [
        (assignment.response_order[0], 1, 2, "performance", "critical", TEXT)  # the annotator's A, stored label
    ]

    page.reload()
    page.wait_for_selector("#workspace")
    item = page.locator("#response-A .lc-item")
    item.wait_for()
    assert item.locator(".lc-text").inner_text() == TEXT  # as text: the markup is not rendered
    assert item.locator(".lc-text b").count() == 0
    assert (
        "Lines 1\u20132" in item.inner_text() and "Performance" in item.inner_text() and "Critical" in item.inner_text()
    )
    assert page.locator("#response-A tr.has-comment").count() == 2
    marker = page.locator("#response-A tr[data-line='1'] .lc-marker")
    marker.hover()  # the marker shows the comment beside the gutter
    tip = page.locator("#lc-float")
    tip.wait_for(state="visible")
    assert TEXT in tip.inner_text() and "Critical" in tip.inner_text()
