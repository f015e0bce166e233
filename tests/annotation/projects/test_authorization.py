"""Who may use each setup page and endpoint: a non-member gets 404, an annotator or reviewer 403, the
project's lead (or staff) gets through; creating needs the permission, not a role."""

from __future__ import annotations

import pytest
from django.test import Client

from tasks.models import Project, User
from tests.annotation.projects.conftest import Api

# (method, path under /projects/SLUG/, what a lead gets for an empty request)
PAGES = [
    ("get", "settings/", 200),
    ("post", "settings/", 400),
    ("post", "settings/preview/", 200),
    ("post", "archive/", 302),
    ("post", "unarchive/", 302),
    ("post", "duplicate/", 302),
    ("get", "audit/", 200),
]
ENDPOINTS = [
    ("get", "", 200),
    ("patch", "", 200),
    ("post", "/archive", 200),
    ("post", "/unarchive", 200),
    ("post", "/duplicate", 400),
    ("get", "/audit", 200),
]


def _page(client: Client, method: str, path: str) -> int:
    return getattr(client, method)(path).status_code


def _api(client: Client, user: User, method: str, path: str) -> int:
    api = Api(client, user)
    return (api.get(path) if method == "get" else getattr(api, method)(path, {})).status_code


@pytest.mark.parametrize(("method", "tail", "ok"), PAGES, ids=[f"{m} {t}" for m, t, _ in PAGES])
def test_each_page_guards_by_role(
    client: Client,
    creator: User,
    reviewer: User,
    annotator: User,
    outsider: User,
    staff: User,
    setup_project: Project,
    method: str,
    tail: str,
    ok: int,
) -> None:
    path = f"/projects/{setup_project.slug}/{tail}"
    expected = {outsider: 404, annotator: 403, reviewer: 403, creator: ok, staff: ok}
    got = {}
    for user in expected:
        client.force_login(user)
        got[user] = _page(client, method, path)
    client.logout()

    assert got == expected
    assert _page(client, method, path) == 302  # anonymous: to the login page


@pytest.mark.parametrize(("method", "tail", "ok"), ENDPOINTS, ids=[f"{m} {t or '/'}" for m, t, _ in ENDPOINTS])
def test_each_endpoint_guards_by_role(
    client: Client,
    creator: User,
    reviewer: User,
    annotator: User,
    outsider: User,
    staff: User,
    setup_project: Project,
    method: str,
    tail: str,
    ok: int,
) -> None:
    path = f"projects/{setup_project.slug}{tail}"
    expected = {outsider: 404, annotator: 403, reviewer: 403, creator: ok, staff: ok}

    assert {user: _api(client, user, method, path) for user in expected} == expected
    assert getattr(client, method)(f"/api/v1/{path}").status_code == 401


def test_the_create_page_and_endpoint_need_the_permission(
    client: Client, creator: User, lead: User, staff: User, project: Project
) -> None:
    for user, want in ((lead, 403), (creator, 200), (staff, 200)):
        client.force_login(user)
        assert client.get("/projects/new/").status_code == want
        assert client.post("/projects/new/preview/", {"part": "instructions"}).status_code == want
        assert Api(client, user).post("projects", {}).status_code == (400 if want == 200 else 403)
    client.logout()
    assert client.get("/projects/new/").status_code == 302
    assert client.post("/api/v1/projects", {}, content_type="application/json").status_code == 401


def test_a_page_post_without_its_csrf_token_is_refused(creator: User, setup_project: Project) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(creator)

    assert strict.post(f"/projects/{setup_project.slug}/archive/").status_code == 403
    assert strict.post(f"/projects/{setup_project.slug}/settings/preview/", {"part": "instructions"}).status_code == 403
    setup_project.refresh_from_db()
    assert setup_project.archived_at is None
