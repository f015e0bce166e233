"""Members and invitations: who is in a project with which role, and how new people get in. The pages,
the API and the tests call these; each change writes its audit row (tasks/audit.py) in its transaction.

An invitation's link carries a random token; the database keeps only its sha256 (Invite.token_hash), so
a copy of the database cannot be turned into working links. An email invite is for one address and one
use; a link invite may be accepted by up to max_uses people until it expires."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from annotation.models import ActivityInterval, Assignment, Review, WebhookEndpoint
from annotation.webhooks import services as webhooks
from annotation.work import queue
from tasks import audit, services
from tasks.models import Invite, Membership, Project, Role, User

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 90
LINK_MAX_USES = 1000  # a link invite given no cap still stops here
MAX_EMAILS = 200  # addresses in one form or API call
CSV_MAX_BYTES = 256 * 1024
CSV_MAX_ROWS = 1000
# A file never makes leads: a lead is invited one at a time, on purpose.
CSV_ROLES = (Role.ANNOTATOR, Role.REVIEWER)
_SEPARATORS = re.compile(r"[\s,;]+")


class PeopleRefused(ValueError):
    """The change cannot be made; the message says why and what to do instead."""


class CsvRejected(PeopleRefused):
    """A CSV upload with problems; nothing was written. `errors` are "line N: what is wrong"."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the file, nothing was sent")
        self.errors = errors


class PeopleForbidden(PeopleRefused):
    """The change is for site staff only (the API answers 403)."""


class InviteGone(Exception):
    """The token names no invitation that can still be accepted; `status` is what the page answers."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Issued:
    """A new invitation and its token, which exists only here (the database keeps its hash)."""

    invite: Invite
    token: str


@dataclass(frozen=True)
class Sent:
    """Email invitations created together; `failed` are the addresses the mail server refused."""

    issued: list[Issued]
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    user: User
    role: Role
    joined: dt.datetime
    last_activity: dt.datetime | None


@dataclass(frozen=True)
class Joined:
    """What accepting did: the role the person now has, and whether anything changed."""

    project: Project
    role: Role
    changed: bool


# --- Tokens and links


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_url(base_url: str, token: str) -> str:
    """The absolute accept link; `base_url` is the site's root as the request saw it."""
    return base_url.rstrip("/") + reverse("invite", args=[token])


# --- Members


def members(project: Project, *, username: str | None = None) -> list[Member]:
    """The project's members (or the one named), by username, each with their last activity there: the
    latest of their active time (heartbeats become ActivityIntervals), submissions and review verdicts."""
    user = OuterRef("user")
    latest = {
        "interval": ActivityInterval.objects.filter(annotator=user, assignment__task__project=project)
        .order_by("-ended_at")
        .values("ended_at")[:1],
        "submitted": Assignment.objects.filter(annotator=user, task__project=project, submitted_at__isnull=False)
        .order_by("-submitted_at")
        .values("submitted_at")[:1],
        "reviewed": Review.objects.filter(reviewer=user, assignment__task__project=project)
        .order_by("-created_at")
        .values("created_at")[:1],
    }
    rows = (
        Membership.objects.filter(project=project, **({"user__username": username} if username else {}))
        .select_related("user")
        .annotate(**{f"last_{k}": Subquery(q) for k, q in latest.items()})
        .order_by("user__username")
    )
    return [
        Member(
            user=m.user,
            role=Role(m.role),
            joined=m.created_at,
            last_activity=max((t for k in latest if (t := getattr(m, f"last_{k}")) is not None), default=None),
        )
        for m in rows
    ]


def member_of(project: Project, username: str) -> Membership:
    """A member of the project by username; 404 for anyone else, as for any object the caller cannot see."""
    membership = Membership.objects.filter(project=project, user__username=username).select_related("user").first()
    if membership is None:
        raise Http404("No such member of this project.")
    return membership


@transaction.atomic
def add_member(*, project: Project, username: str, role: str, actor: User | None) -> Membership:
    """Make an existing account a member (the API's shortcut past an invitation). Site staff only: a lead
    invites instead, so an account joins (and shows its email to the leads) only by accepting."""
    if actor is None or not actor.is_staff:
        raise PeopleForbidden(
            "only site staff may add an existing account by username: send them an invitation (by email or link)"
        )
    chosen = _role(role, Role)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise PeopleRefused(f"there is no account named {username!r}: invite them by email or link instead")
    if Membership.objects.filter(project=project, user=user).exists():
        raise PeopleRefused(f"{username} is already a member: change their role instead")
    membership = services.add_member(project=project, user=user, role=chosen)
    audit.record(project=project, actor=actor, action="member.added", target=username, changes={"role": [None, chosen]})
    return membership


@transaction.atomic
def change_role(*, project: Project, member: User, role: str, actor: User | None) -> Membership:
    """Give a member another role; the project's last lead cannot be demoted. A lead demoted below lead
    loses the webhook endpoints they registered here: they are deactivated (webhooks.update_endpoint)."""
    chosen = _role(role, Role)
    membership = _locked_membership(project, member)
    old = Role(membership.role)
    if old == chosen:
        return membership
    if old == Role.LEAD:
        _keep_a_lead(project, member, actor, "demote")
    membership.role = chosen
    membership.save(update_fields=["role"])
    changes: dict[str, list[object]] = {"role": [old, chosen]}
    if old == Role.LEAD:
        changes.update(_deactivate_webhooks(project, member, actor))
    audit.record(project=project, actor=actor, action="member.role_changed", target=member.username, changes=changes)
    return membership


def remove_member(*, project: Project, member: User, actor: User | None) -> int:
    """Take a member out of the project; the project's last lead cannot be removed. Their submitted work
    stays; their open work (active, or sent back to them) goes back to the queue now rather than at the
    next sweep; the webhook endpoints they registered here are deactivated. Returns how many assignments
    went back."""
    with transaction.atomic():
        membership = _locked_membership(project, member)
        if membership.role == Role.LEAD:
            _keep_a_lead(project, member, actor, "remove")
        in_hand = Assignment.objects.filter(annotator=member, task__project=project, status__in=queue.OPEN).count()
        services.remove_member(project=project, user=member)
        changes: dict[str, list[object]] = {"role": [membership.role, None]}
        changes.update(_deactivate_webhooks(project, member, actor))
        audit.record(project=project, actor=actor, action="member.removed", target=member.username, changes=changes)
    queue.expire_assignments()
    return 0 if member.is_staff else in_hand  # site staff keep their work (queue.departed)


def _deactivate_webhooks(project: Project, member: User, actor: User | None) -> dict[str, list[object]]:
    """Deactivate the active endpoints `member` registered in `project` (each gets its webhook.updated
    row, and its unsent deliveries are given up); {"webhooks_deactivated": [None, ids]} when any were."""
    endpoints = WebhookEndpoint.objects.filter(project=project, created_by=member, active=True).order_by("pk")
    ids = []
    for endpoint in endpoints.select_for_update():
        webhooks.update_endpoint(endpoint=endpoint, actor=actor, active=False)
        ids.append(endpoint.pk)
    return {"webhooks_deactivated": [None, ids]} if ids else {}


def _locked_membership(project: Project, member: User) -> Membership:
    membership = Membership.objects.select_for_update().filter(project=project, user=member).first()
    if membership is None:
        raise Http404("No such member of this project.")
    return membership


def _keep_a_lead(project: Project, member: User, actor: User | None, verb: str) -> None:
    """Refuse to leave the project without a lead member. The leads' rows are locked, so two leads who
    demote each other at once cannot both succeed."""
    leads = list(
        Membership.objects.select_for_update().filter(project=project, role=Role.LEAD).values_list("user_id", flat=True)
    )
    if leads == [member.pk]:
        who = "You are" if actor is not None and actor.pk == member.pk else f"{member.username} is"
        raise PeopleRefused(f"{who} the project's last lead: make another member lead first, then {verb} this one")


# --- Invitations


def pending_invites(project: Project, *, now: dt.datetime | None = None) -> QuerySet[Invite]:
    """Invitations that can still be accepted, newest first."""
    now = now or timezone.now()
    return (
        Invite.objects.filter(project=project, revoked_at__isnull=True, expires_at__gt=now, uses__lt=F("max_uses"))
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def invite_state(invite: Invite, *, now: dt.datetime | None = None) -> str:
    """pending, revoked, used (every use taken) or expired."""
    now = now or timezone.now()
    if invite.revoked_at is not None:
        return "revoked"
    if invite.uses >= invite.max_uses:
        return "used"
    return "expired" if invite.expires_at <= now else "pending"


def invite_of(project: Project, invite_id: int) -> Invite:
    invite = Invite.objects.filter(project=project, pk=invite_id).first()
    if invite is None:
        raise Http404("No such invitation in this project.")
    return invite


def parse_emails(text: str) -> list[str]:
    """Addresses from a form field: separated by commas, semicolons, spaces or lines."""
    return [e for e in _SEPARATORS.split(text) if e]


def invite_by_email(
    *, project: Project, emails: list[str], role: str, days: int, actor: User | None, base_url: str
) -> Sent:
    """Invite each address (one use each) and mail it the link. All or nothing: one bad address and no
    invitation is made. An address with a pending invitation gets a new one (the old link stops working)."""
    chosen = _role(role, Role)
    addresses = _checked_emails(project, emails)
    with transaction.atomic():
        issued = [_issue(project, email=a, role=chosen, days=days, max_uses=1, actor=actor) for a in addresses]
    return _mail(issued, base_url)


def invite_by_link(*, project: Project, role: str, days: int, max_uses: int | None, actor: User | None) -> Issued:
    """A shareable link that up to `max_uses` people (LINK_MAX_USES when not given) may accept."""
    chosen = _role(role, Role)
    uses = LINK_MAX_USES if max_uses is None else max_uses
    if not 1 <= uses <= LINK_MAX_USES:
        raise PeopleRefused(f"max uses: give a whole number from 1 to {LINK_MAX_USES}, or leave it empty")
    with transaction.atomic():
        return _issue(project, email="", role=chosen, days=days, max_uses=uses, actor=actor)


def invite_from_csv(*, project: Project, data: bytes, days: int, actor: User | None, base_url: str) -> Sent:
    """Invite every `email,role` line of a CSV file, all or nothing (CsvRejected lists every problem)."""
    rows = read_invite_csv(project=project, data=data)
    _expiry(days)
    with transaction.atomic():
        issued = [_issue(project, email=e, role=r, days=days, max_uses=1, actor=actor) for e, r in rows]
    return _mail(issued, base_url)


def read_invite_csv(*, project: Project, data: bytes) -> list[tuple[str, Role]]:
    """The (email, role) rows of an upload: `email,role` per line, an `email,role` header allowed, blank
    lines skipped, the role annotator when left out. Every problem is named with its line."""
    if len(data) > CSV_MAX_BYTES:
        raise CsvRejected([f"the file has {len(data):,} bytes, over the {CSV_MAX_BYTES:,} accepted: split it"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise CsvRejected([f"the file is not UTF-8 text (byte {bad.start + 1}): save it as UTF-8 CSV"]) from None
    taken = _member_emails(project)
    errors: list[str] = []
    rows: list[tuple[str, Role]] = []
    first_line: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text))
    try:
        for fields in reader:
            cells = [c.strip() for c in fields]
            if not any(cells) or (not rows and not errors and not first_line and cells[0].lower() == "email"):
                continue  # a blank line, or the header
            line = reader.line_num
            problem, email, role = _csv_row(cells, taken)
            if not problem and email in first_line:
                problem = f"{email} is also on line {first_line[email]}"
            first_line.setdefault(email, line)
            if problem:
                errors.append(f"line {line}: {problem}")
            elif role is not None:
                rows.append((email, role))
    except csv.Error as broken:
        errors.append(f"line {reader.line_num}: {broken}")
    if len(rows) > CSV_MAX_ROWS:
        errors.append(f"the file has {len(rows):,} addresses, over the {CSV_MAX_ROWS:,} accepted at once: split it")
    if not errors and not rows:
        errors.append("the file has no addresses: write one email,role per line")
    if errors:
        raise CsvRejected(errors)
    return rows


def _csv_row(cells: list[str], taken: set[str]) -> tuple[str, str, Role | None]:
    """(problem, email, role) of one CSV line."""
    if len(cells) > 2:
        return f"expected email,role, found {len(cells)} fields", "", None
    email = cells[0].lower()
    name = cells[1].lower() if len(cells) == 2 and cells[1] else Role.ANNOTATOR.value
    problem = _email_problem(email, taken)
    if problem:
        return problem, email, None
    if name == Role.LEAD:
        return "a file does not invite leads: invite a lead on its own with the form", email, None
    if name not in CSV_ROLES:
        return f"unknown role {name!r}: use {' or '.join(CSV_ROLES)}", email, None
    return "", email, Role(name)


def _email_problem(email: str, taken: set[str]) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return f"{email!r} is not an email address" if email else "the email is missing"
    if email in taken:
        return f"{email} is already a member of the project"
    return ""


def _member_emails(project: Project) -> set[str]:
    emails = Membership.objects.filter(project=project).exclude(user__email="").values_list("user__email", flat=True)
    return {e.lower() for e in emails}


def _checked_emails(project: Project, emails: list[str]) -> list[str]:
    addresses = [e.strip().lower() for e in emails if e.strip()]
    if not addresses:
        raise PeopleRefused("emails: give at least one address")
    if len(addresses) > MAX_EMAILS:
        raise PeopleRefused(f"emails: at most {MAX_EMAILS} at once; for more, upload a CSV file")
    taken = _member_emails(project)
    problems = [p for p in (_email_problem(a, taken) for a in addresses) if p]
    repeated = sorted({a for a in addresses if addresses.count(a) > 1})
    problems += [f"{a} is given twice" for a in repeated]
    if problems:
        raise PeopleRefused("nothing was sent: " + "; ".join(problems))
    return addresses


def _issue(project: Project, *, email: str, role: Role, days: int, max_uses: int, actor: User | None) -> Issued:
    expires_at = timezone.now() + _expiry(days)
    if email:  # a newer invitation replaces the address's pending one
        for old in pending_invites(project).filter(email=email):
            _revoke(old, actor)
    token = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        project=project,
        email=email,
        role=role,
        token_hash=token_hash(token),
        max_uses=max_uses,
        expires_at=expires_at,
        created_by=actor,
    )
    audit.record(
        project=project,
        actor=actor,
        action="invite.created",
        target=email or "link",
        changes={"role": [None, role], "expires_at": [None, expires_at.isoformat()], "max_uses": [None, max_uses]},
    )
    return Issued(invite=invite, token=token)


def _expiry(days: int) -> dt.timedelta:
    if not 1 <= days <= MAX_DAYS:
        raise PeopleRefused(f"expiry: give a whole number of days from 1 to {MAX_DAYS}")
    return dt.timedelta(days=days)


def _role(value: str, allowed: type[Role] | tuple[Role, ...]) -> Role:
    if value not in [r.value for r in allowed]:
        raise PeopleRefused(f"role: choose one of {', '.join(r.value for r in allowed)}")
    return Role(value)


def _mail(issued: list[Issued], base_url: str) -> Sent:
    """Send each invitation's link, after its rows are committed. A refusal of the mail server leaves the
    invitation in place (listed as pending) and is reported, so the lead can revoke it or send a link."""
    failed = []
    for one in issued:
        invite = one.invite
        context = {"invite": invite, "role": Role(invite.role).label, "url": accept_url(base_url, one.token)}
        try:
            send_mail(
                subject=f"You are invited to {' '.join(invite.project.name.split())}",
                message=render_to_string("annotation/people/invite_email.txt", context),
                from_email=None,
                recipient_list=[invite.email],
            )
        except OSError:  # smtplib's errors, a refused connection, a timeout
            logger.exception("the invitation to %s could not be sent", invite.email)
            failed.append(invite.email)
    return Sent(issued=issued, failed=failed)


@transaction.atomic
def revoke_invite(*, invite: Invite, actor: User | None) -> Invite:
    """Withdraw an invitation: its link stops working at once. Revoking twice changes nothing."""
    if invite.revoked_at is None:
        _revoke(invite, actor)
    return invite


def _revoke(invite: Invite, actor: User | None) -> None:
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    audit.record(
        project=invite.project,
        actor=actor,
        action="invite.revoked",
        target=invite.email or "link",
        changes={"invite": [invite.pk, None]},
    )


# --- Accepting


def find_invite(token: str, *, now: dt.datetime | None = None) -> Invite:
    """The invitation a link's token names, if it can still be accepted; InviteGone says why not."""
    invite = Invite.objects.filter(token_hash=token_hash(token)).select_related("project").first()
    if invite is None:
        raise InviteGone(
            "This invitation link is not valid: check that you opened the whole link, or ask the project's "
            "lead for a new one.",
            status=404,
        )
    _check_open(invite, now or timezone.now())
    return invite


def _check_open(invite: Invite, now: dt.datetime) -> None:
    state = invite_state(invite, now=now)
    ask = "Ask the project's lead for a new one."
    if state == "revoked":
        raise InviteGone(f"This invitation was withdrawn by the project's lead. {ask}", status=410)
    if state == "used":
        raise InviteGone(f"This invitation has already been used. {ask}", status=410)
    if state == "expired":
        raise InviteGone(f"This invitation expired on {invite.expires_at:%Y-%m-%d %H:%M} UTC. {ask}", status=410)
    if invite.project.archived_at is not None:
        raise InviteGone("This project is archived and takes no new members.", status=410)


def email_mismatch(invite: Invite, user: User) -> str:
    """Why `user` may not accept this email invitation ("" when they may): the account's email must be
    the invited address and verified, so neither a forwarded invitation nor an account that only typed
    the address (a link invite's sign-up) lets someone else in."""
    if not invite.email:
        return ""
    if (user.email or "").lower() == invite.email.lower():
        if user.email_verified:
            return ""
        return (
            f"This invitation is for {invite.email}, and your account ({user.username}) has that address but "
            "it was never verified. Log out and accept it with a new account: the invitation proves the "
            "address for that account."
        )
    return (
        f"This invitation is for {invite.email}, and you are logged in as {user.username}, whose account has "
        f"{'another email address' if user.email else 'no email address'}. Log out and accept it with a new "
        "account, or log in with the account that has that address."
    )


@transaction.atomic
def accept_invite(*, token: str, user: User, now: dt.datetime | None = None) -> Joined:
    """Join the project with the invitation's role. A member who already has that role or a higher one
    keeps theirs, and the invitation keeps its use; a lower role is raised."""
    now = now or timezone.now()
    found = find_invite(token, now=now)
    invite = Invite.objects.select_for_update().select_related("project").get(pk=found.pk)
    _check_open(invite, now)  # again, under the lock: a parallel accept may have taken the last use
    refused = email_mismatch(invite, user)
    if refused:
        raise PeopleRefused(refused)
    project, role = invite.project, Role(invite.role)
    current = Membership.objects.select_for_update().filter(project=project, user=user).first()
    if current is not None and Role(current.role).includes(role):
        return Joined(project=project, role=Role(current.role), changed=False)
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    services.add_member(project=project, user=user, role=role)
    old = current.role if current is not None else None
    audit.record(
        project=project,
        actor=user,
        action="invite.accepted",
        target=user.username,
        changes={"invite": [None, invite.pk], "role": [old, role]},
    )
    audit.record(
        project=project,
        actor=user,
        action="member.added" if current is None else "member.role_changed",
        target=user.username,
        changes={"role": [old, role]},
    )
    return Joined(project=project, role=role, changed=True)


def sign_up(*, token: str, username: str, email: str, password: str) -> tuple[User, Joined]:
    """Create the invitee's account (username and password checked by the caller's form: Django's
    validators) and accept the invitation with it, in one transaction. An email invitation fixes the
    address and proves it (the link was mailed there): the account is verified, and an address whose
    verified account exists must log in and join with it instead. A link invitation keeps the typed
    address unverified, and checks no other account for it (the page reveals no one's address)."""
    with transaction.atomic():
        invite = find_invite(token)
        verified = bool(invite.email)
        address = (invite.email or email).strip().lower()
        if verified and User.objects.filter(email__iexact=address, email_verified=True).exists():
            raise PeopleRefused(f"an account with {address} already exists: log in with it to join")
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, email=address, password=password, email_verified=verified
                )
        except IntegrityError:
            raise PeopleRefused(f"the username {username!r} is taken: choose another") from None
        return user, accept_invite(token=token, user=user)
