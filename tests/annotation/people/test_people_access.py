"""Who may use the People page and the members and invites API: the project's leads and site staff. A
non-member gets 404 (the project is not revealed), an annotator or reviewer 403, anonymous callers the
login page (pages) or 401 (API). The accept page is public: its token is the credential."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.people import services as people
from tasks.models import Invite, Project, User

Call = Callable[[Client, Project, dict[str, str]], Any]


def _people_get(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.get(f"/projects/{p.slug}/people/")


def _people_post(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.post(f"/projects/{p.slug}/people/", {"action": "invite-link", "role": "annotator"})


def _members_get(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.get(f"/api/v1/projects/{p.slug}/members", headers=h)


def _members_post(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.post(f"/api/v1/projects/{p.slug}/members", {"username": "newcomer", "role": "annotator"}, headers=h)


def _member_patch(c: Client, p: Project, h: dict[str, str]) -> Any:
    body = {"role": "reviewer"}
    return c.patch(f"/api/v1/projects/{p.slug}/members/bob-annotator", body, content_type="application/json", headers=h)


def _member_delete(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.delete(f"/api/v1/projects/{p.slug}/members/bob-annotator", headers=h)


def _invites_get(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.get(f"/api/v1/projects/{p.slug}/invites", headers=h)


def _invites_post(c: Client, p: Project, h: dict[str, str]) -> Any:
    return c.post(f"/api/v1/projects/{p.slug}/invites", {"role": "annotator"}, headers=h)


def _invite_delete(c: Client, p: Project, h: dict[str, str]) -> Any:
    invite = Invite.objects.filter(project=p).first()
    assert invite is not None
    return c.delete(f"/api/v1/projects/{p.slug}/invites/{invite.pk}", headers=h)


# (name, call, the lead's status, whether it is an API call)
CALLS: list[tuple[str, Call, int, bool]] = [
    ("people page", _people_get, 200, False),
    ("people action", _people_post, 200, False),
    ("members list", _members_get, 200, True),
    ("member add", _members_post, 201, True),
    ("member role", _member_patch, 200, True),
    ("member remove", _member_delete, 204, True),
    ("invites list", _invites_get, 200, True),
    ("invite create", _invites_post, 201, True),
    ("invite revoke", _invite_delete, 204, True),
]


@pytest.fixture
def scene(team: Project, lead: User) -> Project:
    """The team, with a pending invitation and an account to add."""
    people.invite_by_link(project=team, role="annotator", days=7, max_uses=None, actor=lead)
    User.objects.create_user("newcomer", password="newcomer-pw")
    return team


def _as(client: Client, user: User | None, api: bool) -> dict[str, str]:
    if user is None:
        return {}
    if api:
        return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    client.force_login(user)
    return {}


@pytest.mark.parametrize(("name", "call", "ok", "is_api"), CALLS, ids=[c[0] for c in CALLS])
def test_only_leads_and_staff_get_past_the_guard(
    request: pytest.FixtureRequest, scene: Project, name: str, call: Call, ok: int, is_api: bool
) -> None:
    lead_ok = 403 if name == "member add" else ok  # past the guard, but adding by username is for staff
    want = {"outsider": 404, "annotator": 403, "reviewer": 403, "lead": lead_ok, "staff": ok}
    got = {}
    for persona in want:
        user: User = request.getfixturevalue(persona)
        with transaction.atomic():  # each call sees the scene as it was: a removal or revoke is undone
            client = Client()
            got[persona] = call(client, scene, _as(client, user, is_api)).status_code
            transaction.set_rollback(True)
    anonymous = call(Client(), scene, {})

    assert got == want
    assert anonymous.status_code == (401 if is_api else 302)


def test_an_outsiders_404_does_not_depend_on_whether_the_project_exists(
    client: Client, outsider: User, team: Project
) -> None:
    client.force_login(outsider)

    real = client.get(f"/projects/{team.slug}/people/")
    missing = client.get("/projects/no-such-project/people/")

    assert real.status_code == missing.status_code == 404


def test_the_accept_page_is_public_and_a_token_is_no_login(client: Client, scene: Project, staff: User) -> None:
    issued = people.invite_by_link(project=scene, role="annotator", days=7, max_uses=None, actor=None)
    path = people.accept_url("", issued.token)
    token = {"Authorization": f"Token {Token.objects.get_or_create(user=staff)[0].key}"}

    anonymous = client.get(path)
    with_token = client.get(path, headers=token)

    assert anonymous.status_code == with_token.status_code == 200
    assert "Create your account" in with_token.content.decode()  # the API token logged nobody in
    assert client.post(path + "accept", {"action": "join"}, headers=token).status_code == 400
