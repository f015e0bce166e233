"""Who may call what: every URL pattern of the project, every method it allows, every persona.

The test walks django.urls.get_resolver() recursively, fills each pattern's path parameters with a real
object of the seeded project (whose members are the personas) and of another project (where nobody but
staff may look), and calls it as each persona, by session and by API token, with each method. The
status must be the one the RULES table declares: a URL pattern without a rule fails the test ("new
endpoint without an authorization rule"), and so does a method a pattern answers that its rule does
not list.

How a rule reads: `access` says who gets past the guard; `ok` is the status a caller who does gets for
the matrix's empty request (often a 400: the request was checked, so the guard let it through). Who
does not get past it gets what the README promises: 404 for a non-member (the project, assignment or
export is not revealed), 403 for a member whose role is too low, a redirect to the login page (pages)
or 401 (API) for anonymous callers. An API token is no login for pages. Site staff act as leads
everywhere, and open nobody's assignment.

Every call runs inside a transaction that is rolled back, so no call changes what the next one sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from annotation.models import Assignment
from annotation.people import services as people
from annotation.webhooks import services as webhooks
from annotation.work import queue
from exporters import services as exports
from exporters.models import ExportJob
from exporters.options import ExportOptions
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import make_user, submit_judgment, task_line

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


# --- Who gets past the guard


@dataclass(frozen=True)
class Access:
    """`kind`: public, login, project (a role in the object's project), owner (the annotator whose
    assignment it is), review (a reviewer of the assignment's project), staff (the admin site)."""

    kind: str
    role: Role | None = None


PUBLIC = Access("public")
LOGIN_ONLY = Access("login")
ANNOTATOR = Access("project", Role.ANNOTATOR)
REVIEWER = Access("project", Role.REVIEWER)
LEAD = Access("project", Role.LEAD)
OWNER = Access("owner")
REVIEWS = Access("review")
STAFF = Access("staff")
CREATOR = Access("creator")  # site staff, or the "Can create projects" permission (the matrix's lead has it)


@dataclass(frozen=True)
class Rule:
    access: dict[str, Access]  # method -> who gets past the guard
    ok: dict[str, frozenset[int]]  # method -> what they get for the matrix's request


def rule(access: Access, **ok: int | tuple[int, ...]) -> Rule:
    """A rule whose methods share one guard: rule(LEAD, GET=200, POST=400)."""
    return Rule(
        access=dict.fromkeys(ok, access),
        ok={method: frozenset(v if isinstance(v, tuple) else (v,)) for method, v in ok.items()},
    )


def both(*rules: Rule) -> Rule:
    """Methods with different guards on one pattern: both(rule(REVIEWER, GET=200), rule(LEAD, POST=302))."""
    return Rule(
        access={m: a for r in rules for m, a in r.access.items()},
        ok={m: s for r in rules for m, s in r.ok.items()},
    )


# Django's own admin: a staff member without model permissions gets 403, a method a view does not take 405
ADMIN_ANY = (200, 302, 403, 404, 405)


def every(status: int | tuple[int, ...]) -> dict[str, int | tuple[int, ...]]:
    """A page that answers every method as it answers GET (no require_GET): the guard must hold for each.
    Reported (issue 11): these read-only pages should answer 405 to anything but GET."""
    return dict.fromkeys(METHODS, status)


# URL name -> its rule. The admin site's patterns share ADMIN_RULE (and ADMIN_LOGIN_RULE for its login).
RULES: dict[str, Rule] = {
    # --- the root, health and accounts
    "home": rule(PUBLIC, **every(302)),  # a RedirectView: every method
    "healthz": rule(PUBLIC, **every((200, 503))),
    "ping": rule(PUBLIC, GET=200, POST=200, PUT=200, PATCH=200, DELETE=200),
    # from this machine (the test client's address) without a token; tests/annotation/test_metrics.py
    # checks the token and the refusal of other addresses
    "metrics": rule(PUBLIC, **every(200)),
    "login": rule(PUBLIC, GET=200, POST=200, PUT=200),  # Django's LoginView takes PUT as POST
    "logout": rule(PUBLIC, POST=302),
    # single sign-on is off in the matrix's settings, so 404 for everyone; tests/tasks/test_oidc.py drives it on
    "oidc-login": rule(PUBLIC, GET=404),
    "oidc-callback": rule(PUBLIC, GET=404),
    "api-token": rule(LOGIN_ONLY, **every(200)),
    "api-token-reset": rule(LOGIN_ONLY, POST=302),
    # --- projects, tasks, import
    "project-list": rule(LOGIN_ONLY, **every(200)),
    "project-detail": rule(ANNOTATOR, **every(200)),
    "task-import": rule(LEAD, GET=200, POST=400),
    "task-import-confirm": rule(LEAD, POST=302),
    "task-detail": both(rule(REVIEWER, GET=200), rule(LEAD, POST=302)),
    # the task manager: an empty POST names no action: refused with a message, back to the list
    "task-manager": both(rule(REVIEWER, GET=200), rule(LEAD, POST=302)),
    # --- project setup (pages): an empty POST of the settings is refused, 400; of a duplicate, back to settings
    "project-create": rule(CREATOR, GET=200, POST=400),
    "project-create-preview": rule(CREATOR, POST=200),
    "project-settings": rule(LEAD, GET=200, POST=400),
    "project-settings-preview": rule(LEAD, POST=200),
    "project-archive": rule(LEAD, POST=302),
    "project-unarchive": rule(LEAD, POST=302),
    "project-duplicate": rule(LEAD, POST=302),  # the lead persona may create projects (see _creator)
    "project-audit": rule(LEAD, GET=200),
    # --- the annotator's work (pages)
    "start-working": rule(ANNOTATOR, POST=302),
    "heartbeat": rule(LOGIN_ONLY, POST=400),
    "workspace": rule(OWNER, GET=200),
    "workspace-draft": rule(OWNER, POST=200),
    "workspace-run": rule(OWNER, POST=200),
    "workspace-results": rule(OWNER, GET=200),
    "workspace-submit": rule(OWNER, POST=400),
    "workspace-skip": rule(OWNER, POST=302),
    "workspace-diff": rule(OWNER, GET=400),
    "my-work": rule(ANNOTATOR, GET=200),
    "workspace-reopen": rule(OWNER, POST=302),  # the matrix's assignment is active: refused, back to My work
    "workspace-flag": rule(OWNER, POST=302),  # no reason given: refused, back to the workspace
    "workspace-reply": rule(OWNER, POST=400),  # no comment named: refused
    # --- review, quality, timesheets (pages)
    "review-queue": rule(REVIEWER, **every(200)),
    "review-judgment": rule(REVIEWS, GET=200, POST=400),
    "review-reply": rule(REVIEWS, POST=302),  # an empty reply: refused with a message, back to the review
    "quality": rule(REVIEWER, **every(200)),
    "dashboard": rule(REVIEWER, **every(200)),
    "annotators": rule(LEAD, **every(200)),
    "task-flags": rule(LEAD, GET=200, POST=302),  # an empty POST: refused with a message, back to the list
    "timesheet": both(rule(ANNOTATOR, GET=200), rule(LEAD, POST=400)),
    # --- exports (pages)
    "exports": rule(LEAD, GET=200, POST=400),
    "exports-history": rule(LEAD, GET=200),
    "export-download": rule(LEAD, GET=200),
    "export-manifest": rule(LEAD, GET=200),
    "export-features": rule(LEAD, GET=200),
    # --- webhooks (pages): an empty POST names no action (or no URL): refused, 400
    "webhooks": rule(LEAD, GET=200, POST=400),
    "webhook-endpoint": rule(LEAD, GET=200, POST=400),
    # --- people (pages): an empty POST names no action: refused, 400
    "people": rule(LEAD, GET=200, POST=400),
    # an invitation's link: public (its token is the credential); an empty POST names no action: 400
    "invite": rule(PUBLIC, GET=200),
    "invite-accept": rule(PUBLIC, POST=400),
    # --- API: projects, tasks, import
    "api-auth-token": rule(PUBLIC, POST=400),
    "api-project-list": rule(LOGIN_ONLY, GET=200),
    "api-project-detail": rule(ANNOTATOR, GET=200),
    "api-task-list": rule(REVIEWER, GET=200),
    "api-task-import": rule(LEAD, POST=400),
    "api-task-search": rule(REVIEWER, GET=200),
    "api-task-bulk": rule(LEAD, POST=400),  # no action, no tasks
    # --- API: project setup
    "api-project-create": rule(CREATOR, POST=400),
    "api-project-settings": rule(LEAD, GET=200, PATCH=200),  # an empty PATCH changes nothing
    "api-project-archive": rule(LEAD, POST=200),
    "api-project-unarchive": rule(LEAD, POST=200),
    "api-project-duplicate": rule(LEAD, POST=400),
    "api-project-audit": rule(LEAD, GET=200),
    # --- API: the annotator's work
    "api-claim-next": rule(ANNOTATOR, POST=(200, 201)),
    "api-assignment": rule(OWNER, GET=200),
    "api-draft": rule(OWNER, PUT=200),
    "api-runs": rule(OWNER, POST=400),
    "api-run-latest": rule(OWNER, GET=204),  # no run yet
    "api-submit": rule(OWNER, POST=400),
    "api-skip": rule(OWNER, POST=400),  # the reason is required
    "api-my-work": rule(ANNOTATOR, GET=200),
    "api-reopen": rule(OWNER, POST=409),  # the matrix's assignment is active, not submitted
    "api-heartbeat": rule(LOGIN_ONLY, POST=400),
    "api-flag": rule(OWNER, POST=400),  # the reason is required
    # --- API: review, quality, timesheets
    "api-review-queue": rule(REVIEWER, GET=200),
    "api-review": rule(REVIEWS, POST=400),
    "api-review-comments": rule(REVIEWS, GET=200, POST=400),
    "api-task-flags": rule(LEAD, GET=200, POST=400),  # an empty POST names no task: refused, field named
    "api-dashboard": rule(REVIEWER, GET=200),
    "api-quality": rule(REVIEWER, GET=200),
    "api-annotators": rule(LEAD, GET=200),
    "api-timesheet": rule(ANNOTATOR, GET=200),
    # --- API: exports
    "api-exports": rule(LEAD, GET=200, POST=400),
    "api-export": rule(LEAD, GET=200),
    "api-export-download": rule(LEAD, GET=200),
    # --- API: webhooks
    "api-webhooks": rule(LEAD, GET=200, POST=400),
    "api-webhook": rule(LEAD, GET=200, PATCH=200, DELETE=204),  # an empty PATCH changes nothing
    "api-webhook-secret": rule(LEAD, GET=200, POST=200),
    "api-webhook-ping": rule(LEAD, POST=202),
    "api-webhook-deliveries": rule(LEAD, GET=200),
    "api-webhook-redeliver": rule(LEAD, POST=202),
    # --- API: members and invitations
    "api-members": rule(LEAD, GET=200, POST=400),  # an empty POST names nobody
    "api-member": rule(LEAD, PATCH=400, DELETE=204),  # an empty PATCH names no role
    "api-invites": rule(LEAD, GET=200, POST=201),  # an empty POST makes a link invite with the defaults
    "api-invite": rule(LEAD, DELETE=204),
    # --- API documentation: public, like the README that describes the same API
    "api-schema": rule(PUBLIC, GET=200),
    "api-docs": rule(PUBLIC, GET=200),
}
ADMIN_RULE = rule(STAFF, GET=ADMIN_ANY, POST=ADMIN_ANY)
ADMIN_LOGIN_RULE = rule(PUBLIC, GET=(200, 302), POST=200)


# --- The URL patterns


@dataclass(frozen=True)
class Pattern:
    route: str  # as written, e.g. "api/v1/assignments/<int:assignment_id>/draft"
    name: str  # the URL name, with its namespace ("admin:index")
    regex: bool  # a re_path pattern

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.route.startswith("admin/")


def patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    """Every URL pattern of the project, included ones too, with its full route."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            regex = "(?P<" in route or route.startswith("^")
            yield Pattern(route=route, name=f"{namespace}{entry.name or ''}", regex=regex)


def rule_of(pattern: Pattern) -> Rule | None:
    if pattern.is_admin:
        return ADMIN_LOGIN_RULE if pattern.name == "admin:login" else ADMIN_RULE
    return RULES.get(pattern.name)


# --- The scene


@dataclass
class Scene:
    """The objects path parameters are filled with: `mine` in the project the personas belong to,
    `theirs` in one none of them belongs to."""

    users: dict[str, User | None]
    tokens: dict[str, str]
    objects: dict[str, dict[str, str]]  # "mine"/"theirs" -> parameter -> value
    project_of: dict[str, Project]
    owner_of: dict[str, User]  # the annotator of the assignment used on work URLs


PERSONAS = ("anonymous", "outsider", "annotator", "annotator2", "reviewer", "lead", "staff")


def build_scene(tmp_path: Path) -> Scene:
    users: dict[str, User | None] = {
        "anonymous": None,
        "outsider": make_user("m-outsider"),
        "annotator": make_user("m-annotator"),
        "annotator2": make_user("m-annotator2"),
        "reviewer": make_user("m-reviewer"),
        "lead": _creator(make_user("m-lead")),
        "staff": make_user("m-staff", staff=True),
    }
    mine = _project("matrix-mine", users["lead"], {"reviewer": Role.REVIEWER, "annotator": Role.ANNOTATOR})
    for name, role in (("reviewer", Role.REVIEWER), ("annotator", Role.ANNOTATOR), ("annotator2", Role.ANNOTATOR)):
        services.add_member(project=mine, user=users[name], role=role)  # type: ignore[arg-type]
    quinn = make_user("m-quinn")  # annotator of the other project: nobody of the personas
    theirs = _project("matrix-theirs", make_user("m-their-lead"), {})
    services.add_member(project=theirs, user=quinn, role=Role.ANNOTATOR)
    owner = users["annotator"]
    assert owner is not None
    objects = {
        "mine": _objects(mine, owner, tmp_path),
        "theirs": _objects(theirs, quinn, tmp_path),
    }
    tokens = {name: services.rotate_api_token(user=user).key for name, user in users.items() if user is not None}
    return Scene(
        users=users,
        tokens=tokens,
        objects=objects,
        project_of={"mine": mine, "theirs": theirs},
        owner_of={"mine": owner, "theirs": quinn},
    )


def _creator(user: User) -> User:
    """The lead persona may create projects, as a lead who sets up projects does (annotation/projects)."""
    user.user_permissions.add(Permission.objects.get(codename="create_project"))
    return user


def _project(slug: str, lead: User | None, _members: dict[str, Role]) -> Project:
    project = services.create_project(
        slug=slug, name=slug, lead=lead, ranking_mode=RankingMode.RANKING, min_tests=0, min_rationale_chars=10
    )
    import_tasks(project=project, lines=[json.dumps(task_line(f"t{i}")) for i in range(3)])
    return project


def _objects(project: Project, annotator: User, tmp_path: Path) -> dict[str, str]:
    """One submitted assignment (for review URLs), one active one (work URLs), a task, a finished export,
    a webhook endpoint and a delivery to it, the annotator as a member, and a link invitation."""
    submitted = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(submitted, rationale="A is right and B is wrong on the empty list.")
    active = queue.claim_next_assignment(project=project, annotator=annotator)
    job = exports.run_export(job=exports.start_export(project=project, user=None, options=ExportOptions(format="raw")))
    assert job.status == ExportJob.Status.DONE and active.status == Assignment.Status.ACTIVE
    endpoint = webhooks.create_endpoint(
        project=project, url="https://hooks.example.com/matrix", events=["export.finished"], user=None
    )
    delivery = webhooks.send_ping(endpoint=endpoint)
    link = people.invite_by_link(project=project, role=Role.ANNOTATOR, days=7, max_uses=None, actor=None)
    return {
        "slug": project.slug,
        "external_id": active.task.external_id,
        "assignment_id": str(active.pk),
        "review_assignment_id": str(submitted.pk),
        "export_id": str(job.pk),
        "endpoint_id": str(endpoint.pk),
        "delivery_id": str(delivery.pk),
        "username": annotator.username,
        "invite_id": str(link.invite.pk),
        "token": link.token,
    }


# --- Filling a pattern's parameters

_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")
ADMIN_VALUES = {"app_label": "tasks", "object_id": "1", "id": "1", "content_type_id": "1", "url": "x"}


def fill(pattern: Pattern, values: dict[str, str]) -> str:
    """A path for `pattern` with its parameters taken from `values`; resolved back to the same pattern."""
    review = pattern.name in {"review-judgment", "api-review", "review-reply", "api-review-comments"}

    def value(name: str) -> str:
        if name == "assignment_id" and review:
            return values["review_assignment_id"]
        return values.get(name) or ADMIN_VALUES[name]

    if pattern.regex:
        path = _GROUP.sub(lambda m: _first_choice(m["body"]) or value(m["name"]), pattern.route)
        path = path.lstrip("^").replace("$", "").replace("\\", "")
    else:
        path = _PARAM.sub(lambda m: value(m["name"]), pattern.route)
    path = "/" + path
    try:
        match = resolve(path)
    except Resolver404:
        raise AssertionError(f"{pattern.route}: the filled path {path} does not resolve") from None
    assert match.view_name == pattern.name or pattern.is_admin, f"{path} resolves to {match.view_name}"
    return path


def _first_choice(body: str) -> str:
    """The first alternative of a regex group of plain names (the admin's app labels), else ''."""
    first = body.split("|")[0]
    return first if re.fullmatch(r"\w+", first) else ""


# --- Calling


def call(scene: Scene, persona: str, auth: str, method: str, path: str, api: bool) -> HttpResponse:
    """One request, in a transaction rolled back afterwards, from a fresh client (a throttle's counts
    and an earlier call's session never leak into the next call)."""
    cache.clear()
    user = scene.users[persona]
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        headers: dict[str, str] = {}
        if user is not None and auth == "session":
            client.force_login(user)
        elif user is not None and auth == "token":
            headers["Authorization"] = f"Token {scene.tokens[persona]}"
        kwargs: dict[str, Any] = {"headers": headers}
        if method != "GET":
            kwargs.update(_body(path, api))
        response = getattr(client, method.lower())(path, **kwargs)
        transaction.set_rollback(True)
    return response


def _body(path: str, api: bool) -> dict[str, Any]:
    if path.endswith("/tasks/import"):
        return {"data": b"", "content_type": "application/x-ndjson"}
    if api:
        return {"data": "{}", "content_type": "application/json"}
    return {"data": {}}


# --- What each persona must get


def role_in(scene: Scene, persona: str, where: str) -> Role | None:
    user = scene.users[persona]
    if user is None:
        return None
    if user.is_staff:
        return Role.LEAD
    membership = scene.project_of[where].memberships.filter(user=user).first()
    return Role(membership.role) if membership else None


def expected(
    scene: Scene, rule: Rule, pattern: Pattern, method: str, persona: str, auth: str, where: str
) -> frozenset[int]:
    access, ok = rule.access[method], rule.ok[method]
    anonymous = scene.users[persona] is None or (auth == "token" and not pattern.is_api)
    if access.kind == "public":
        return ok
    if anonymous:
        return frozenset({401 if pattern.is_api else 302})
    user = scene.users[persona]
    assert user is not None
    if access.kind == "staff":
        return ok if user.is_staff and auth == "session" else frozenset({302})
    if access.kind == "creator":
        return ok if user.is_staff or user.has_perm("tasks.create_project") else frozenset({403})
    if access.kind == "login":
        return ok
    if access.kind == "owner":
        return ok if user == scene.owner_of[where] else frozenset({404})
    role = role_in(scene, persona, where)
    if access.kind == "review":
        return ok if role is not None and role.includes(Role.REVIEWER) else frozenset({404})
    assert access.kind == "project" and access.role is not None
    if role is None:
        return frozenset({404})
    return ok if role.includes(access.role) else frozenset({403})


def combos(pattern: Pattern, rule: Rule) -> Iterator[tuple[str, str]]:
    """(persona, auth) pairs to call with: everyone both ways, fewer for public and admin pages (whose
    answer does not depend on the project) to keep the matrix fast."""
    if all(a.kind == "public" for a in rule.access.values()):
        yield from (("anonymous", "none"), ("annotator", "session"), ("staff", "token"))
        return
    if pattern.is_admin:
        yield from (("anonymous", "none"), ("annotator", "session"), ("lead", "session"))
        yield from (("staff", "session"), ("staff", "token"))
        return
    yield "anonymous", "none"
    for persona in PERSONAS[1:]:
        yield persona, "session"
        yield persona, "token"


def check(scene: Scene, pattern: Pattern, rule: Rule) -> list[str]:
    """Every mismatch of one pattern, as readable lines."""
    wrong: list[str] = []
    places = ("mine", "theirs") if _PARAM.search(pattern.route) and not pattern.is_admin else ("mine",)
    for where in places:
        path = fill(pattern, scene.objects[where])
        for method in rule.access:
            for persona, auth in combos(pattern, rule):
                if where == "theirs" and auth == "token" and persona != "staff":
                    continue  # a non-member is a non-member either way; the session calls cover it
                want = expected(scene, rule, pattern, method, persona, auth, where)
                response = call(scene, persona, auth, method, path, pattern.is_api)
                problem = _mismatch(response, want, pattern)
                if problem:
                    wrong.append(f"{method} {path} as {persona} ({auth}, {where}): {problem}")
    return wrong


def _mismatch(response: HttpResponse, want: frozenset[int], pattern: Pattern) -> str:
    status = response.status_code
    if status not in want:
        return f"got {status}, expected {' or '.join(map(str, sorted(want)))}"
    if status == 302 and want == {302}:
        login = ADMIN_LOGIN if pattern.is_admin else LOGIN
        location = response.headers.get("Location", "")
        if location.startswith((LOGIN, ADMIN_LOGIN)) and not location.startswith(login):
            return f"redirected to {location}, expected {login}"
    return ""


def unlisted_methods(scene: Scene, pattern: Pattern, rule: Rule) -> list[str]:
    """A method the rule does not list must be refused (405) to a caller who could use the others."""
    path = fill(pattern, scene.objects["mine"])
    who = "staff" if pattern.is_admin else _allowed_persona(scene, rule)
    wrong = []
    for method in METHODS:
        if method in rule.access:
            continue
        status = call(scene, who, "session", method, path, pattern.is_api).status_code
        if status != 405:
            wrong.append(f"{method} {path} as {who}: got {status}, expected 405 (or add {method} to its rule)")
    return wrong


def _allowed_persona(scene: Scene, rule: Rule) -> str:
    kinds = {a.kind for a in rule.access.values()}
    return "annotator" if kinds & {"owner", "public", "login"} else "lead"


# --- The tests


@pytest.fixture
def scene(db: None, settings: Any, tmp_path: Path) -> Scene:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_scene(tmp_path)


def all_patterns() -> list[Pattern]:
    return list(patterns())


def test_every_url_pattern_has_an_authorization_rule() -> None:
    missing = [f"{p.route} ({p.name or 'no name'})" for p in all_patterns() if rule_of(p) is None]

    assert missing == [], "new endpoint without an authorization rule: add it to RULES: " + ", ".join(missing)


def test_every_rule_names_an_existing_url_pattern() -> None:
    names = {p.name for p in all_patterns()}

    assert sorted(set(RULES) - names) == []


@pytest.mark.parametrize("area", ["pages", "api", "admin"])
def test_each_persona_gets_what_the_rules_say(scene: Scene, area: str) -> None:
    chosen = [
        p
        for p in all_patterns()
        if rule_of(p) is not None
        and {"pages": not p.is_api and not p.is_admin, "api": p.is_api, "admin": p.is_admin}[area]
    ]
    wrong: list[str] = []
    for pattern in chosen:
        rule = rule_of(pattern)
        assert rule is not None
        wrong += check(scene, pattern, rule)
        if area != "admin":
            wrong += unlisted_methods(scene, pattern, rule)

    assert wrong == [], f"{len(wrong)} call(s) against the rules:\n" + "\n".join(wrong)
