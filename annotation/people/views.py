"""The People page (a project's leads: members, roles, removal, invitations by email, link and CSV) and
the public accept page an invitation's link opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotation.models import Assignment
from annotation.people import services as people
from annotation.work import queue
from tasks.access import access_project
from tasks.models import Invite, Project, Role, User

LOGIN_BACKEND = "tasks.auth.PasswordBackend"


# --- The People page


@never_cache  # a new link invite's URL is shown on it once
@login_required
@require_http_methods(["GET", "POST"])
def people_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and pending invitations; a POST names its `action` (a refusal re-renders with the reason, 400)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    if request.method == "GET":
        return _page(request, project)
    act = ACTIONS.get(request.POST.get("action", ""))
    if act is None:
        return _page(request, project, error=f"Nothing done: action must be one of {', '.join(ACTIONS)}.")
    try:
        return act(request, project)
    except people.CsvRejected as rejected:
        return _page(request, project, error=f"Nothing done: {rejected}.", csv_errors=rejected.errors)
    except people.PeopleRefused as refused:
        return _page(request, project, error=f"Nothing done: {refused}.")


def _page(
    request: HttpRequest, project: Project, *, error: str = "", csv_errors: list[str] | None = None, link: str = ""
) -> HttpResponse:
    context = {
        "project": project,
        "members": people.members(project),
        "invites": people.pending_invites(project),
        "roles": Role.choices,
        "csv_roles": people.CSV_ROLES,
        "default_days": people.DEFAULT_DAYS,
        "max_days": people.MAX_DAYS,
        "link_max_uses": people.LINK_MAX_USES,
        "csv_max_bytes": people.CSV_MAX_BYTES,
        "form_error": error,
        "csv_errors": csv_errors or [],
        "new_link": link,
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "annotation/people/people.html", context, status=400 if error else 200)


def _change_role(request: HttpRequest, project: Project) -> HttpResponse:
    member = people.member_of(project, request.POST.get("username", "")).user
    role = request.POST.get("role", "")
    people.change_role(project=project, member=member, role=role, actor=cast(User, request.user))
    messages.success(request, f"{member.username} is now {Role(role).label.lower()}.")
    return redirect("people", slug=project.slug)


def _remove(request: HttpRequest, project: Project) -> HttpResponse:
    """Without `confirm`, the confirmation page (what removal does to this member's work); with it, removal."""
    member = people.member_of(project, request.POST.get("username", "")).user
    if request.POST.get("confirm") != "yes":
        mine = Assignment.objects.filter(annotator=member, task__project=project)
        context = {
            "project": project,
            "member": member,
            "in_hand": mine.filter(status__in=queue.OPEN).count(),
            "submitted": mine.filter(status=Assignment.Status.SUBMITTED).count(),
        }
        return render(request, "annotation/people/remove.html", context)
    returned = people.remove_member(project=project, member=member, actor=cast(User, request.user))
    back = f" {returned} task{'s' if returned != 1 else ''} in hand went back to the queue." if returned else ""
    messages.success(request, f"{member.username} was removed; their submitted work stays.{back}")
    if member == request.user and not request.user.is_staff:
        return redirect("project-list")
    return redirect("people", slug=project.slug)


def _invite_email(request: HttpRequest, project: Project) -> HttpResponse:
    sent = people.invite_by_email(
        project=project,
        emails=people.parse_emails(request.POST.get("emails", "")),
        role=request.POST.get("role", ""),
        days=_days(request),
        actor=cast(User, request.user),
        base_url=request.build_absolute_uri("/"),
    )
    return _sent(request, project, sent)


def _invite_csv(request: HttpRequest, project: Project) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        raise people.PeopleRefused("choose a CSV file to upload")
    if upload.size is not None and upload.size > people.CSV_MAX_BYTES:
        raise people.CsvRejected([f"the file is over {people.CSV_MAX_BYTES:,} bytes: split it"])
    sent = people.invite_from_csv(
        project=project,
        data=upload.read(people.CSV_MAX_BYTES + 1),
        days=_days(request),
        actor=cast(User, request.user),
        base_url=request.build_absolute_uri("/"),
    )
    return _sent(request, project, sent)


def _sent(request: HttpRequest, project: Project, sent: people.Sent) -> HttpResponse:
    count = len(sent.issued) - len(sent.failed)
    if count:
        messages.success(
            request, f"Invitation{'s' if count != 1 else ''} sent to {count} address{'es' if count != 1 else ''}."
        )
    if sent.failed:
        messages.error(
            request,
            f"The mail server refused {', '.join(sent.failed)}: those invitations are listed below; revoke them "
            "and send a link instead, or try again later.",
        )
    return redirect("people", slug=project.slug)


def _invite_link(request: HttpRequest, project: Project) -> HttpResponse:
    raw = request.POST.get("max_uses", "").strip()
    if raw and not raw.isdigit():
        raise people.PeopleRefused(f"max uses: give a whole number from 1 to {people.LINK_MAX_USES}, or leave it empty")
    issued = people.invite_by_link(
        project=project,
        role=request.POST.get("role", ""),
        days=_days(request),
        max_uses=int(raw) if raw else None,
        actor=cast(User, request.user),
    )
    return _page(request, project, link=people.accept_url(request.build_absolute_uri("/"), issued.token))


def _revoke(request: HttpRequest, project: Project) -> HttpResponse:
    chosen = request.POST.get("invite", "")
    if not chosen.isdigit():
        raise people.PeopleRefused("invite: name the invitation to revoke")
    invite = people.revoke_invite(invite=people.invite_of(project, int(chosen)), actor=cast(User, request.user))
    messages.success(request, f"Invitation {'to ' + invite.email if invite.email else 'link'} revoked.")
    return redirect("people", slug=project.slug)


def _days(request: HttpRequest) -> int:
    raw = request.POST.get("days", "").strip() or str(people.DEFAULT_DAYS)
    if not raw.isdigit():
        raise people.PeopleRefused(f"expiry: give a whole number of days from 1 to {people.MAX_DAYS}")
    return int(raw)


ACTIONS: dict[str, Callable[[HttpRequest, Project], HttpResponse]] = {
    "role": _change_role,
    "remove": _remove,
    "invite-email": _invite_email,
    "invite-link": _invite_link,
    "invite-csv": _invite_csv,
    "revoke": _revoke,
}


# --- Accepting an invitation (no login needed)


class SignUpForm(UserCreationForm):
    """A new account: Django's username rules and password validators. An email invitation fixes the address."""

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args: object, invite: Invite, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if invite.email:
            self.fields["email"].initial = invite.email
            self.fields["email"].disabled = True


@never_cache  # the URL carries the token
@require_GET
def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the invitation is for, and how to accept it: join as the logged-in user, or sign up."""
    try:
        invite = people.find_invite(token)
    except people.InviteGone as gone:
        return _gone(request, gone)
    return _accept_page(request, token, invite)


@never_cache
@require_POST
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """`action=join` (logged in) or `action=signup` (a new account); throttled per address (RATE_LIMITS)."""
    try:
        invite = people.find_invite(token)
    except people.InviteGone as gone:
        return _gone(request, gone)
    action = request.POST.get("action", "")
    if action == "join" and request.user.is_authenticated:
        try:
            joined = people.accept_invite(token=token, user=cast(User, request.user))
        except people.InviteGone as gone:
            return _gone(request, gone)
        except people.PeopleRefused as refused:
            return _accept_page(request, token, invite, error=str(refused))
        return _welcome(request, joined)
    if action == "signup" and not request.user.is_authenticated and _password_login():
        return _sign_up(request, token, invite)
    why = (
        f"You are logged in as {request.user.username}: join with this account, or log out first to create a new one."
        if request.user.is_authenticated
        else "Nothing done: sign up below, or log in to join with your account."
    )
    return _accept_page(request, token, invite, error=why)


def _sign_up(request: HttpRequest, token: str, invite: Invite) -> HttpResponse:
    form = SignUpForm(request.POST, invite=invite)
    if not form.is_valid():
        return _accept_page(request, token, invite, form=form)
    try:
        user, joined = people.sign_up(
            token=token,
            username=form.cleaned_data["username"],
            email=form.cleaned_data.get("email") or "",
            password=form.cleaned_data["password1"],
        )
    except people.InviteGone as gone:
        return _gone(request, gone)
    except people.PeopleRefused as refused:
        return _accept_page(request, token, invite, form=form, error=str(refused))
    login(request, user, backend=LOGIN_BACKEND)
    return _welcome(request, joined)


def _welcome(request: HttpRequest, joined: people.Joined) -> HttpResponse:
    project, role = joined.project, joined.role.label.lower()
    if joined.changed:
        messages.success(request, f"Welcome to {project.name}: you are {role}. Press Start working to begin.")
    else:
        messages.info(request, f"You are already a member of {project.name} as {role}.")
    return redirect("project-detail", slug=project.slug)


def _accept_page(
    request: HttpRequest, token: str, invite: Invite, *, form: SignUpForm | None = None, error: str = ""
) -> HttpResponse:
    user = request.user
    context = {
        "invite": invite,
        "project": invite.project,
        "role": Role(invite.role).label.lower(),
        "token": token,
        "mismatch": people.email_mismatch(invite, user) if isinstance(user, User) else "",
        "form": form or SignUpForm(invite=invite),
        "password_login": _password_login(),
        "login_url": f"{reverse('login')}?next={reverse('invite', args=[token])}",
        "error": error,
    }
    return render(request, "annotation/people/accept.html", context, status=400 if error or form else 200)


def _gone(request: HttpRequest, gone: people.InviteGone) -> HttpResponse:
    return render(request, "annotation/people/invite_gone.html", {"message": str(gone)}, status=gone.status)


def _password_login() -> bool:
    """Whether accounts here log in with a password (single sign-on may turn it off): only then can a new
    person sign up on the accept page; otherwise they sign in first and join."""
    return LOGIN_BACKEND in settings.AUTHENTICATION_BACKENDS
