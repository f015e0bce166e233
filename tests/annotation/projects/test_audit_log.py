"""The audit page: who, what, when, old and new values, newest first, paginated."""

from __future__ import annotations

from django.test import Client

from annotation.projects import services
from tasks import audit
from tasks.models import Project, User
from tests.annotation.projects.conftest import Api


def test_the_audit_page_lists_changes_newest_first_with_old_and_new(
    client: Client, creator: User, setup_project: Project
) -> None:
    services.update_project(project=setup_project, actor=creator, values={"overlap": 4})
    services.update_project(project=setup_project, actor=creator, values={"min_tests": 2})
    client.force_login(creator)

    html = client.get(f"/projects/{setup_project.slug}/audit/").content.decode()

    assert html.index("min_tests") < html.index("overlap") < html.index("project.created")
    assert '<strong>overlap</strong>: <code class="old">1</code> → <code class="new">4</code>' in html
    assert "cleo-creator" in html


def test_the_audit_page_and_api_page_their_rows(client: Client, creator: User, setup_project: Project) -> None:
    for i in range(55):
        audit.record(project=setup_project, actor=creator, action="test.event", target=f"t{i}")
    client.force_login(creator)

    first = client.get(f"/projects/{setup_project.slug}/audit/").content.decode()
    second = client.get(f"/projects/{setup_project.slug}/audit/?page=2").content.decode()
    api = Api(client, creator).get(f"projects/{setup_project.slug}/audit?limit=10").json()

    assert "t54" in first and "page 1 of 2" in first and "t54" not in second and "project.created" in second
    assert api["count"] == 56 and len(api["results"]) == 10 and api["results"][0]["target"] == "t54"
    assert api["results"][0]["actor"] == "cleo-creator"
