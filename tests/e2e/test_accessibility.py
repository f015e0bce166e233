"""axe-core (vendored from npm, tests/e2e/vendor/) finds no serious or critical violation on the pages
people spend their day on: the workspace, the project page, a review and the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotation.work import judging, queue
from tasks import services
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.conftest import submit_judgment, task_line
from tests.e2e.conftest import chromium_page

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
PASSWORD = "a11y-password-1"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # axe is injected as a script the page's own CSP would (rightly) refuse
    with chromium_page(monkeypatch, viewport={"width": 1440, "height": 1000}, bypass_csp=True) as page:
        yield page


@pytest.fixture
def scene(transactional_db: None) -> dict[str, Any]:
    lead, annotator, other = (
        User.objects.create_user(n, password=PASSWORD) for n in ("a11y-lead", "a11y-ann", "a11y-2")
    )
    project = services.create_project(slug="a11y", name="A11y", ranking_mode=RankingMode.RANKING, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    for user in (annotator, other):
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task_line(f"a-{i}", responses=3)) for i in range(2)])
    submitted = queue.claim_next_assignment(project=project, annotator=other)
    submit_judgment(submitted, ranking=[[x] for x in submitted.response_order])
    judging.save_draft(assignment=queue.claim_next_assignment(project=project, annotator=annotator), data={})
    return {"project": project, "submitted": submitted}


ALSO_REQUIRED = {"page-has-heading-one", "scrollable-region-focusable"}  # moderate, but the issue names them


def serious_violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in ("serious", "critical") or v["id"] in ALSO_REQUIRED
    ]


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_the_annotators_pages_have_no_serious_violation(page, live_server, scene) -> None:
    login(page, live_server.url, "a11y-ann")
    workspace = scene["project"].tasks.first()  # any: the annotator's active one opens through the queue
    assert workspace is not None
    found = {
        "project": serious_violations(page, f"{live_server.url}/projects/a11y/"),
    }
    page.click("text=Start working")
    page.wait_for_selector("#workspace")
    found["workspace"] = serious_violations(page, page.url)

    assert found == {"project": [], "workspace": []}


def test_the_leads_pages_have_no_serious_violation(page, live_server, scene) -> None:
    login(page, live_server.url, "a11y-lead")
    base = live_server.url
    found = {
        "review": serious_violations(page, f"{base}/review/{scene['submitted'].pk}/"),
        "dashboard": serious_violations(page, f"{base}/projects/a11y/dashboard/"),
    }

    assert found == {"review": [], "dashboard": []}
