"""Guarded reads of the annotator's work: an annotator sees only their own assignments, and only while
they are a member of its project; reviewers and leads see the work of their projects.

Every refusal here is the same 404, whether the id exists or not, so nobody learns which ids exist
(or that someone else's work is behind one) by trying them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404

from annotation.models import Assignment, Review, WebhookEndpoint
from tasks.access import member_role, remember_role, role_in
from tasks.compiled import Compiled
from tasks.models import Role, User


def access_assignment(user: User | AnonymousUser, assignment_id: int, *, page: bool = False) -> Assignment:
    """The user's own assignment (with task and project) in a project they still belong to, or 404:
    nobody opens another's work here, and a removed member can no longer work on, run, time or
    submit what they had in hand (it went back to the queue; see annotation/work/queue.py).

    `page`: for the workspace page, which also shows the judgment and the latest send-back: they come in
    the same query (annotation/work/workspace.py reads them from it)."""
    read = _OWN_ASSIGNMENT_PAGE if page else _OWN_ASSIGNMENT
    assignment = read.first(pk=assignment_id, user=user.pk) if user.is_authenticated else None
    if assignment is not None:  # read in the same query: the role for this check, webhooks for the events
        project = assignment.task.project
        remember_role(project, user, assignment.read_role)  # type: ignore[attr-defined]
        project.has_active_webhooks = assignment.read_webhooks  # type: ignore[attr-defined]
    if assignment is None or role_in(user, assignment.task.project) is None:
        raise Http404("No such assignment.")
    return assignment


def _has_webhooks(project_ref: str) -> Exists:
    """Whether the project has an active webhook endpoint (annotation.webhooks.services.active_endpoints
    then skips its read when it has none)."""
    return Exists(WebhookEndpoint.objects.filter(project=OuterRef(project_ref), active=True))


def _own_assignment(pk: int, user: int, *, page: bool) -> QuerySet[Assignment]:
    own = (
        Assignment.objects.select_related("task__project", "annotator", *(["judgment"] if page else []))
        .filter(pk=pk, annotator_id=user)
        .annotate(read_role=member_role(user, "task__project"), read_webhooks=_has_webhooks("task__project"))
    )
    if page:
        latest = Review.objects.filter(assignment=OuterRef("pk"), verdict=Review.Verdict.SEND_BACK).order_by(
            "-created_at", "-id"
        )
        own = own.annotate(
            sent_back_feedback=Subquery(latest.values("feedback")[:1]),
            sent_back_by=Subquery(latest.values("reviewer__username")[:1]),
        )
    return own.order_by()[:1]


_OWN_ASSIGNMENT: Compiled[Assignment] = Compiled(lambda **a: _own_assignment(**a, page=False), pk=int, user=int)
_OWN_ASSIGNMENT_PAGE: Compiled[Assignment] = Compiled(lambda **a: _own_assignment(**a, page=True), pk=int, user=int)


def access_for_review(user: User | AnonymousUser, assignment_id: int) -> Assignment:
    """Someone's work, for a reviewer or lead of its project; 404 for everyone else (annotators of the
    project included), exactly as for an id that does not exist."""
    assignment = Assignment.objects.select_related("task__project", "annotator").filter(pk=assignment_id).first()
    role = role_in(user, assignment.task.project) if assignment is not None else None
    if assignment is None or role is None or not role.includes(Role.REVIEWER):
        raise Http404("No such assignment.")
    return assignment


def pseudonym(user_id: int) -> str:
    """An annotator's id outside the platform (datasets, webhook payloads): stable and non-reversible,
    keyed by PSEUDONYM_KEY, a key of its own, so neither SECRET_KEY's holders nor its rotation touch it
    (with the public dev key, ids were recoverable). One function, so events join with datasets."""
    return _pseudonym(settings.PSEUDONYM_KEY, user_id)


@functools.lru_cache(maxsize=4096)  # an export names the same few annotators a million times
def _pseudonym(key: str, user_id: int) -> str:
    digest = hmac.new(key.encode(), f"annotator:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"ann-{digest[:12]}"
