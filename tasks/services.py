"""Operations on projects and memberships; views, the API and commands all call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from tasks.models import Membership, Project, Role, Task, User


@transaction.atomic
def create_project(*, slug: str, name: str, lead: User | None = None, **options: Any) -> Project:
    """Create a project (options are Project fields) and make `lead` its lead."""
    project = Project(slug=slug, name=name, **options)
    project.full_clean()
    project.save()
    if lead is not None:
        add_member(project=project, user=lead, role=Role.LEAD)
    return project


def add_member(*, project: Project, user: User, role: Role) -> Membership:
    """Give `user` the `role` in `project`, replacing any role they had there."""
    membership, _ = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership


def remove_member(*, project: Project, user: User) -> None:
    """Take `user` out of `project`; their past work stays. From now on they cannot open, run, time or
    submit the work they had in hand there (annotation/access.py checks the membership on every
    access), and annotation's queue gives that work back to the pool at its next sweep (every claim
    and once a minute). tasks/ knows nothing of assignments, so nothing here calls into annotation."""
    Membership.objects.filter(project=project, user=user).delete()


@transaction.atomic
def rotate_api_token(*, user: User) -> Token:
    """Give `user` a new API token; the previous one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def mark_gold(*, task: Task, preferred: str | None = None, last: str | None = None) -> Task:
    """Make `task` a gold task: the response that must come first, or the known-broken one that must
    come last (or both); with neither, the task is gold no more."""
    labels = set(task.responses.values_list("label", flat=True))
    for name, label in (("preferred", preferred), ("last", last)):
        if label is not None and label not in labels:
            raise ValueError(f"{name} must be one of the task's labels: {', '.join(sorted(labels))}")
    if preferred is not None and preferred == last:
        raise ValueError("the preferred response cannot also be the one ranked last")
    answer = {k: v for k, v in (("preferred", preferred), ("last", last)) if v is not None}
    task.gold_answer = answer or None
    task.save(update_fields=["gold_answer"])
    return task
