"""Invitations (issue 13, part 2): by email, by shareable link, from a CSV file; accepting them as a new
person or with an existing account; what happens to expired, revoked and used-up links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment
from annotation.people import services as people
from tasks.models import AuditEvent, Invite, Membership, Project, Role, User
from tests.annotation.people.conftest import PASSWORD, link_in, people_post, sign_up
from tests.conftest import make_user


@pytest.fixture
def as_lead(client: Client, lead: User) -> Client:
    client.force_login(lead)
    return client


def link_invite(client: Client, project: Project, **data: object) -> str:
    """Create a link invite on the People page; the accept path shown once."""
    page = people_post(client, project, action="invite-link", role="annotator", **data)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    return link_in(page.content.decode())


# --- By email


def test_an_email_invitation_mails_a_link_that_makes_an_account_once(as_lead: Client, team: Project) -> None:
    answer = people_post(as_lead, team, action="invite-email", emails="New.Person@Example.com", role="reviewer")

    assert answer.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.com"]
    assert team.name in mail.outbox[0].subject
    path = link_in(str(mail.outbox[0].body))
    invite = Invite.objects.get(project=team)
    assert invite.token_hash == people.token_hash(path.split("/")[2]) and path.split("/")[2] not in invite.token_hash

    guest = Client()
    page = guest.get(path)
    assert page.status_code == 200 and "new.person@example.com" in page.content.decode()
    # the address is fixed by the invitation: a different one in the form is ignored
    joined = sign_up(guest, path, "newbie", email="someone@else.example")
    assert joined.status_code == 302 and joined["Location"] == f"/projects/{team.slug}/"
    user = User.objects.get(username="newbie")
    assert user.email == "new.person@example.com" and user.check_password(PASSWORD)
    assert Membership.objects.get(project=team, user=user).role == Role.REVIEWER

    again = Client().get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert sign_up(Client(), path, "second").status_code == 410
    assert not User.objects.filter(username="second").exists()


def test_an_email_invitation_refuses_every_address_when_one_is_bad(as_lead: Client, team: Project) -> None:
    answer = people_post(
        as_lead, team, action="invite-email", emails="ok@example.com, not-an-address", role="annotator"
    )

    assert answer.status_code == 400
    assert "&#x27;not-an-address&#x27; is not an email address" in answer.content.decode()
    assert not Invite.objects.exists() and mail.outbox == []


def test_a_second_invitation_to_an_address_replaces_the_first(as_lead: Client, team: Project) -> None:
    people_post(as_lead, team, action="invite-email", emails="twice@example.com", role="annotator")
    people_post(as_lead, team, action="invite-email", emails="twice@example.com", role="annotator")

    first, second = (link_in(str(m.body)) for m in mail.outbox)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_an_email_invitation_needs_the_account_with_that_address(
    client: Client, team: Project, lead: User, outsider: User
) -> None:
    sent = people.invite_by_email(
        project=team, emails=["oscar@example.com"], role="annotator", days=7, actor=lead, base_url="http://testserver"
    )
    path = people.accept_url("", sent.issued[0].token)
    client.force_login(outsider)  # no email on the account

    page = client.get(path)
    refused = client.post(path + "accept", {"action": "join"})

    assert "This invitation is for oscar@example.com" in page.content.decode()
    assert "Join as" not in page.content.decode()
    assert refused.status_code == 400 and not Membership.objects.filter(project=team, user=outsider).exists()
    outsider.email, outsider.email_verified = "Oscar@Example.com", True  # a verified address (see test_email_trust)
    outsider.save()
    assert client.post(path + "accept", {"action": "join"}).status_code == 302
    assert Membership.objects.get(project=team, user=outsider).role == Role.ANNOTATOR


# --- By link


def test_a_link_invitation_lets_max_uses_people_in_and_then_stops(as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team, days="3", max_uses="2")

    assert sign_up(Client(), path, "first-one").status_code == 302
    assert sign_up(Client(), path, "second-one").status_code == 302
    third = sign_up(Client(), path, "third-one")

    assert third.status_code == 410 and not User.objects.filter(username="third-one").exists()
    assert Invite.objects.get(project=team).uses == 2
    assert set(
        Membership.objects.filter(project=team, role=Role.ANNOTATOR).values_list("user__username", flat=True)
    ) >= {
        "first-one",
        "second-one",
    }


def test_a_link_invitation_expires_after_its_days(as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team, days="3")
    invite = Invite.objects.get(project=team)
    assert dt.timedelta(days=2, hours=23) < invite.expires_at - timezone.now() <= dt.timedelta(days=3)

    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    page = Client().get(path)
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert sign_up(Client(), path, "too-late").status_code == 410
    assert not User.objects.filter(username="too-late").exists()


def test_a_revoked_link_stops_at_once(as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team)
    invite = Invite.objects.get(project=team)

    assert people_post(as_lead, team, action="revoke", invite=invite.pk).status_code == 302

    page = Client().get(path)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert "No pending invitation" in as_lead.get(f"/projects/{team.slug}/people/").content.decode()


def test_an_unknown_token_is_a_404_page_not_an_error(client: Client, team: Project) -> None:
    for path in ("/invite/not-a-token/", "/invite/" + "x" * 500 + "/"):
        page = client.get(path)
        assert page.status_code == 404 and "not valid" in page.content.decode()
    assert client.post("/invite/nope/accept", {"action": "signup"}).status_code == 404


def test_a_new_person_from_a_link_lands_on_the_project_and_can_start_working(as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team)
    guest = Client()

    landed = sign_up(guest, path, "fresh-annotator")
    project_page = guest.get(landed["Location"])
    started = guest.post(f"/projects/{team.slug}/start")

    assert "Start working" in project_page.content.decode() and "you are annotator" in project_page.content.decode()
    assert started.status_code == 302 and started["Location"].startswith("/work/")
    user = User.objects.get(username="fresh-annotator")
    assert Assignment.objects.filter(annotator=user, task__project=team, status="active").count() == 1
    # the account works with the login page (django-axes in front) too
    assert Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_signup_applies_django_password_validators(as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team)

    refused = sign_up(Client(), path, "weak", password="password")

    assert refused.status_code == 400 and "This password is too common." in refused.content.decode()
    assert not User.objects.filter(username="weak").exists() and Invite.objects.get(project=team).uses == 0


def test_a_signup_cannot_take_a_username_but_a_link_signup_does_not_check_the_address(
    as_lead: Client, team: Project, annotator: User
) -> None:
    path = link_invite(as_lead, team)
    make_user("taken-address").__class__.objects.filter(username="taken-address").update(email="taken@example.com")

    by_name = sign_up(Client(), path, annotator.username.upper())
    by_address = sign_up(Client(), path, "somebody", email="Taken@example.com")

    assert by_name.status_code == 400 and "already exists" in by_name.content.decode()
    # the typed address is kept, unverified: the page does not tell who has an account (test_email_trust)
    assert by_address.status_code == 302
    assert User.objects.filter(username="somebody", email="taken@example.com", email_verified=False).exists()
    assert Invite.objects.get(project=team).uses == 1


def test_someone_logged_in_joins_with_their_account(client: Client, as_lead: Client, team: Project) -> None:
    path = link_invite(as_lead, team)
    visitor = make_user("visitor")
    client.force_login(visitor)

    page = client.get(path)
    joined = client.post(path + "accept", {"action": "join"})

    assert "Join as visitor" in page.content.decode()
    assert joined.status_code == 302 and Membership.objects.get(project=team, user=visitor).role == Role.ANNOTATOR
    assert client.post(path + "accept", {"action": "signup", "username": "x"}).status_code == 400


def test_a_member_keeps_a_higher_role_and_the_link_its_use(
    client: Client, as_lead: Client, team: Project, reviewer: User
) -> None:
    path = link_invite(as_lead, team)
    client.force_login(reviewer)

    client.post(path + "accept", {"action": "join"})

    assert Membership.objects.get(project=team, user=reviewer).role == Role.REVIEWER
    assert Invite.objects.get(project=team).uses == 0


def test_the_accept_post_is_throttled_per_address(as_lead: Client, team: Project) -> None:
    limit = int(settings.RATE_LIMITS["invite-accept"].split("/")[0])  # RATE_LIMIT_INVITE, 10/min by default
    path = link_invite(as_lead, team)
    guest = Client()

    answers = [sign_up(guest, path, "", password="x").status_code for _ in range(limit + 1)]

    assert answers == [400] * limit + [429]
    assert guest.get(path).status_code == 200  # reading the page is not what is throttled


# --- From a CSV file


def csv_upload(client: Client, project: Project, text: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return client.post(f"/projects/{project.slug}/people/", {"action": "invite-csv", "file": upload, "days": "5"})


def test_a_csv_file_invites_everyone_in_it(as_lead: Client, team: Project) -> None:
    answer = csv_upload(
        as_lead, team, "Email,Role\nann@example.com,annotator\n\nrev@example.com, Reviewer\nplain@example.com\n"
    )

    assert answer.status_code == 302  # type: ignore[attr-defined]
    invites = dict(Invite.objects.filter(project=team).values_list("email", "role"))
    assert invites == {"ann@example.com": "annotator", "rev@example.com": "reviewer", "plain@example.com": "annotator"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invites)


def test_a_csv_file_with_problems_invites_nobody_and_names_each_line(
    as_lead: Client, team: Project, annotator: User
) -> None:
    annotator.email = "ann@example.com"
    annotator.save()
    text = (
        "email,role\n"
        "good@example.com,annotator\n"
        "not-an-email,annotator\n"
        "x@example.com,boss\n"
        "y@example.com,lead\n"
        "GOOD@example.com,reviewer\n"
        "ann@example.com,reviewer\n"
        "a@example.com,annotator,extra\n"
    )

    answer = csv_upload(as_lead, team, text)

    html = answer.content.decode()  # type: ignore[attr-defined]
    assert answer.status_code == 400  # type: ignore[attr-defined]
    for expected in (
        "line 3: &#x27;not-an-email&#x27; is not an email address",
        "line 4: unknown role &#x27;boss&#x27;: use annotator or reviewer",
        "line 5: a file does not invite leads",
        "line 6: good@example.com is also on line 2",
        "line 7: ann@example.com is already a member of the project",
        "line 8: expected email,role, found 3 fields",
    ):
        assert expected in html
    assert not Invite.objects.exists() and mail.outbox == []


def test_a_csv_file_over_the_cap_or_not_utf8_is_refused(team: Project, lead: User) -> None:
    with pytest.raises(people.CsvRejected) as big:
        people.read_invite_csv(project=team, data=b"a@example.com\n" * (people.CSV_MAX_BYTES // 14 + 1))
    with pytest.raises(people.CsvRejected) as latin:
        people.read_invite_csv(project=team, data="é@example.com\n".encode("latin-1"))

    assert "over the 262,144 accepted" in big.value.errors[0]
    assert "not UTF-8" in latin.value.errors[0]


# --- The audit log


def test_every_invitation_step_is_in_the_audit_log(as_lead: Client, team: Project, lead: User) -> None:
    path = link_invite(as_lead, team)
    sign_up(Client(), path, "audited")
    invite = Invite.objects.get(project=team)
    people_post(as_lead, team, action="revoke", invite=invite.pk)

    rows = list(
        AuditEvent.objects.filter(project=team).order_by("id").values_list("action", "actor__username", "target")
    )

    assert rows == [
        ("invite.created", lead.username, "link"),
        ("invite.accepted", "audited", "audited"),
        ("member.added", "audited", "audited"),
        ("invite.revoked", lead.username, "link"),
    ]
    assert AuditEvent.objects.get(action="member.added").changes == {"role": [None, "annotator"]}


# --- Escaping


def test_markup_in_names_and_addresses_is_escaped(client: Client, as_lead: Client, team: Project) -> None:
    Project.objects.filter(pk=team.pk).update(name="<script>alert('p')</script>")
    team.refresh_from_db()
    marked = make_user("marked")
    User.objects.filter(pk=marked.pk).update(email="<img src=x onerror=alert(1)>@example.com")
    Membership.objects.create(project=team, user=marked, role=Role.ANNOTATOR)
    path = link_invite(as_lead, team)

    pages = [as_lead.get(f"/projects/{team.slug}/people/").content.decode(), client.get(path).content.decode()]

    for html in pages:
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in pages[0] and "&lt;img src=x onerror=alert(1)&gt;@example.com" in pages[0]
