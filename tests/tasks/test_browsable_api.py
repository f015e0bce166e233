"""The API's HTML pages (DRF's browsable API) open for a logged-in user, as its JSON does."""

from __future__ import annotations

from django.test import Client

from tasks.models import Project, User


def test_the_project_list_opens_in_the_browser(client: Client, annotator: User, project: Project) -> None:
    """The generic list view had no queryset, so the browsable API answered 500."""
    client.force_login(annotator)

    page = client.get("/api/v1/projects/", headers={"Accept": "text/html"})

    assert page.status_code == 200 and project.slug in page.content.decode()
