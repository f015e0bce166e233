"""Which addresses are trusted, and who keeps a project's events: the security review's findings.

An account's email proves nothing unless it was verified (User.email_verified): by accepting an
invitation mailed there, or by single sign-on. A link invite's sign-up keeps what was typed, unverified,
so claiming someone's address neither captures their sign-in nor blocks their invitation. A lead who
leaves (or is demoted) stops receiving the project's webhooks; only site staff add accounts by username."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from annotation.models import WebhookDelivery, WebhookEndpoint
from annotation.people import services as people
from annotation.webhooks import services as webhooks
from annotation.work import queue
from tasks import oidc, services
from tasks.models import AuditEvent, Membership, Project, Role, User
from tests.annotation.people.conftest import PASSWORD, link_in, people_post, sign_up
from tests.annotation.people.test_members import api
from tests.conftest import claimable_project, make_user


@pytest.fixture
def as_lead(lead: User) -> Client:
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def sso(settings: object) -> None:
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["corp.example"]  # type: ignore[attr-defined]
    settings.OIDC_CREATE_USER = True  # type: ignore[attr-defined]


def _lead_of_new_project(lead: User) -> Project:
    project = claimable_project(tasks=1)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    return project


def _link(client: Client, project: Project) -> str:
    page = people_post(client, project, action="invite-link", role="annotator")
    assert page.status_code == 200
    return link_in(page.content.decode())


def _email_invite(client: Client, project: Project, address: str, role: str = "lead") -> str:
    people_post(client, project, action="invite-email", emails=address, role=role)
    return link_in(str(mail.outbox[-1].body))


def _sso_user(email: str) -> User:
    return oidc.user_for(oidc.checked_email({"email": email, "email_verified": True}))


def _squatter(as_lead: Client, lead: User, email: str = "Boss@corp.example") -> User:
    """Mallory: an annotator link to an open project, signed up with someone else's address."""
    path = _link(as_lead, _lead_of_new_project(lead))
    assert sign_up(Client(), path, "mallory", email=email).status_code == 302
    return User.objects.get(username="mallory")


# --- 1. Account pre-hijack


def test_a_link_signup_keeps_the_typed_address_unverified(as_lead: Client, lead: User) -> None:
    mallory = _squatter(as_lead, lead)

    assert (mallory.email, mallory.email_verified) == ("boss@corp.example", False)


def test_a_claimed_address_captures_neither_the_owners_invitation_nor_their_sign_in(
    sso: None, as_lead: Client, lead: User
) -> None:
    """The review's reproduction: the real boss signs up for his email invite, and single sign-on
    reaches his new (verified) account, never Mallory's; Mallory gets nothing of the secret project."""
    mallory = _squatter(as_lead, lead)
    secret = _lead_of_new_project(lead)
    boss_link = _email_invite(as_lead, secret, "boss@corp.example")

    signed_up = sign_up(Client(), boss_link, "boss")
    boss = User.objects.get(username="boss")
    signed_in = _sso_user("boss@corp.example")

    assert signed_up.status_code == 302 and (boss.email, boss.email_verified) == ("boss@corp.example", True)
    assert signed_in == boss
    assert Membership.objects.get(project=secret, user=boss).role == Role.LEAD
    assert not Membership.objects.filter(project=secret, user=mallory).exists()
    mallory.refresh_from_db()
    assert (mallory.email, mallory.email_verified) == ("boss@corp.example", False)  # left alone


def test_single_sign_on_past_an_unverified_look_alike_makes_a_new_verified_account(
    sso: None, as_lead: Client, lead: User
) -> None:
    mallory = _squatter(as_lead, lead)

    first = _sso_user("boss@corp.example")
    again = _sso_user("Boss@corp.example")

    assert first != mallory and first.email_verified and first.username == "boss"
    assert again == first  # the verified account is the one that matches from now on
    assert User.objects.filter(email__iexact="boss@corp.example").count() == 2


def test_single_sign_on_with_two_verified_accounts_still_refuses(sso: None, db: None) -> None:
    for name in ("dup1", "dup2"):
        User.objects.create_user(name, email="dup@corp.example", email_verified=True)

    with pytest.raises(oidc.SignInRefused, match="More than one account"):
        _sso_user("dup@corp.example")


def test_a_logged_in_account_with_the_address_unverified_may_not_accept_the_email_invitation(
    as_lead: Client, lead: User
) -> None:
    mallory = _squatter(as_lead, lead)
    secret = _lead_of_new_project(lead)
    path = _email_invite(as_lead, secret, "boss@corp.example")
    browser = Client()
    browser.force_login(mallory)

    page = browser.get(path).content.decode()
    refused = browser.post(path + "accept", {"action": "join"})

    assert "never verified" in page and "Log out and accept it with a new account" in page
    assert refused.status_code == 400 and "never verified" in refused.content.decode()
    assert not Membership.objects.filter(project=secret, user=mallory).exists()


def test_an_email_invitation_is_still_refused_to_a_new_account_when_a_verified_one_has_the_address(
    as_lead: Client, lead: User
) -> None:
    User.objects.create_user("boss", email="boss@corp.example", password=PASSWORD, email_verified=True)
    path = _email_invite(as_lead, _lead_of_new_project(lead), "boss@corp.example")

    refused = sign_up(Client(), path, "boss-again")

    assert refused.status_code == 400 and "log in with it to join" in refused.content.decode()


def test_a_link_signup_does_not_reveal_that_an_address_has_an_account(sso: None, as_lead: Client, lead: User) -> None:
    User.objects.create_user("boss", email="boss@corp.example", password=PASSWORD, email_verified=True)
    path = _link(as_lead, _lead_of_new_project(lead))

    taken = sign_up(Client(), path, "someone", email="boss@corp.example")

    assert taken.status_code == 302
    assert not User.objects.get(username="someone").email_verified
    assert _sso_user("boss@corp.example") == User.objects.get(username="boss")


# --- 2. A removed or demoted lead's webhooks


@pytest.fixture
def hooked(lead: User, annotator: User) -> tuple[Project, User, WebhookEndpoint, WebhookEndpoint]:
    """A project with two leads, each with an endpoint; the second's has an unsent delivery."""
    ex_lead = make_user("ex-lead")
    project = claimable_project(tasks=2, annotators=[annotator])
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=ex_lead, role=Role.LEAD)
    kept = webhooks.create_endpoint(
        project=project, url="https://ours.example.net/hook", events=["task.flagged"], user=lead
    )
    theirs = webhooks.create_endpoint(
        project=project, url="https://collector.example.net/hook", events=["task.flagged"], user=ex_lead
    )
    webhooks.emit(project=project, event="task.flagged", data={"note": "before"})
    return project, ex_lead, kept, theirs


def _flag_and_deliveries(project: Project, annotator: User, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    assert assignment is not None
    queue.flag_task(assignment=assignment, reason="other", note="the prompt leaks customer ACME's schema")
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk"))


def test_a_removed_leads_endpoints_are_deactivated_and_get_no_more_events(
    hooked: tuple[Project, User, WebhookEndpoint, WebhookEndpoint], lead: User, annotator: User
) -> None:
    project, ex_lead, kept, theirs = hooked

    people.remove_member(project=project, member=ex_lead, actor=lead)
    deliveries = _flag_and_deliveries(project, annotator, theirs)

    theirs.refresh_from_db()
    kept.refresh_from_db()
    assert not theirs.active and kept.active
    assert [d.status for d in deliveries] == [WebhookDelivery.Status.GAVE_UP]  # only the earlier one, given up
    assert WebhookDelivery.objects.filter(endpoint=kept).count() == 2  # the other lead's still gets events
    removed = AuditEvent.objects.get(project=project, action="member.removed")
    assert removed.changes["webhooks_deactivated"] == [None, [theirs.pk]]
    updated = AuditEvent.objects.get(project=project, action="webhook.updated")
    assert updated.actor == lead and updated.changes == {"active": [True, False]}


def test_a_demoted_leads_endpoints_are_deactivated(
    hooked: tuple[Project, User, WebhookEndpoint, WebhookEndpoint], lead: User, annotator: User
) -> None:
    project, ex_lead, _, theirs = hooked

    people.change_role(project=project, member=ex_lead, role="reviewer", actor=lead)
    deliveries = _flag_and_deliveries(project, annotator, theirs)

    theirs.refresh_from_db()
    assert not theirs.active and len(deliveries) == 1
    changed = AuditEvent.objects.get(project=project, action="member.role_changed")
    assert changed.changes == {"role": ["lead", "reviewer"], "webhooks_deactivated": [None, [theirs.pk]]}


def test_a_role_change_that_keeps_lead_or_starts_below_it_leaves_endpoints_alone(
    hooked: tuple[Project, User, WebhookEndpoint, WebhookEndpoint], lead: User, annotator: User
) -> None:
    project, _, kept, theirs = hooked

    people.change_role(project=project, member=annotator, role="reviewer", actor=lead)

    assert WebhookEndpoint.objects.filter(pk__in=[kept.pk, theirs.pk], active=True).count() == 2


# --- 3. Adding an existing account by username


def test_a_lead_cannot_add_an_account_by_username_and_read_its_email(client: Client, lead: User, staff: User) -> None:
    victim = make_user("victim")
    victim.email = "victim@private.example"
    victim.save()
    project = _lead_of_new_project(lead)
    base = f"/api/v1/projects/{project.slug}/members"

    missing = client.post(base, {"username": "nobody", "role": "annotator"}, headers=api(lead))
    by_lead = client.post(base, {"username": "victim", "role": "annotator"}, headers=api(lead))
    by_staff = client.post(base, {"username": "victim", "role": "annotator"}, headers=api(staff))

    assert missing.status_code == 403  # no longer tells which usernames exist
    assert by_lead.status_code == 403 and "send them an invitation" in by_lead.json()["detail"]
    assert "victim@private.example" not in by_lead.content.decode()
    assert by_staff.status_code == 201 and by_staff.json()["email"] == "victim@private.example"
    listed = client.get(base, headers=api(lead)).json()["results"]
    assert {"victim": "victim@private.example"}.items() <= {m["username"]: m["email"] for m in listed}.items()
