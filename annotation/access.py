"""Guarded reads of the annotator's work: an annotator sees only their own assignments."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from annotation.models import Assignment
from tasks.access import access_project
from tasks.models import Role, User


def access_assignment(user: User | AnonymousUser, assignment_id: int) -> Assignment:
    """The user's own assignment (with task and project), or 404: nobody opens another's work here."""
    assignment = (
        Assignment.objects.select_related("task__project", "annotator")
        .filter(pk=assignment_id, annotator_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def access_for_review(user: User | AnonymousUser, assignment_id: int) -> Assignment:
    """Someone's submitted work, for a reviewer or lead of its project; 404 for others, as for a stranger."""
    assignment = Assignment.objects.select_related("task__project", "annotator").filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assignment.")
    access_project(user, assignment.task.project.slug, role=Role.REVIEWER)
    return assignment
