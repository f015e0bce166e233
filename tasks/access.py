"""Every guarded read goes through these functions, so the permission rules live in one place.

A user who is not a member of a project gets 404, as if it did not exist; a member whose role is too
low gets 403. Site staff act as leads everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from tasks.compiled import Compiled
from tasks.models import Membership, Project, Role, Task, User


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: Role

    def can(self, role: Role) -> bool:
        return self.role.includes(role)

    @property
    def can_review(self) -> bool:
        return self.can(Role.REVIEWER)

    @property
    def can_lead(self) -> bool:
        return self.can(Role.LEAD)


def role_in(user: User | AnonymousUser, project: Project) -> Role | None:
    """The user's role in the project, or None for a non-member; no query when the project was read
    with the role already (member_role, below)."""
    if not user.is_authenticated:
        return None
    if user.is_staff:
        return Role.LEAD
    read = getattr(project, ROLE_READ, None)
    if read is not None and read[0] == user.pk:
        role = read[1]
    else:
        role = Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    return Role(role) if role else None


# The attribute a project read with member_role carries: (user id, that user's role or None).
ROLE_READ = "_role_read"


def member_role(user_id: int, project_ref: str = "pk") -> Subquery:
    """The role of user `user_id` in the project `project_ref` names, as a subquery to read with the
    project (or with a row that points at one), so an access check costs no query of its own."""
    return Subquery(Membership.objects.filter(project=OuterRef(project_ref), user_id=user_id).values("role")[:1])


def remember_role(project: Project, user: User | AnonymousUser, role: str | None) -> None:
    setattr(project, ROLE_READ, (user.pk, role))


_PROJECT_WITH_ROLE: Compiled[Project] = Compiled(
    lambda slug, user: Project.objects.filter(slug=slug).annotate(read_role=member_role(user)).order_by()[:1],
    slug=str,
    user=int,
)


def access_project(user: User | AnonymousUser, slug: str, *, role: Role = Role.ANNOTATOR) -> ProjectAccess:
    """The project with the user's role in it; 404 for non-members, 403 when the role is too low. One query."""
    project = _PROJECT_WITH_ROLE.first(slug=slug, user=user.pk) if user.is_authenticated else None
    if project is not None:
        remember_role(project, user, project.read_role)  # type: ignore[attr-defined]
    user_role = role_in(user, project) if project else None
    if project is None or user_role is None:
        raise Http404("No such project.")
    if not user_role.includes(role):
        raise PermissionDenied(f"This needs the {role.label.lower()} role in project {project.slug}.")
    return ProjectAccess(project=project, role=user_role)


def access_task(user: User | AnonymousUser, slug: str, external_id: str, *, role: Role = Role.REVIEWER) -> Task:
    """A task of a project the user may see with `role`; annotators reach tasks through their queue."""
    access = access_project(user, slug, role=role)
    task = Task.objects.filter(project=access.project, external_id=external_id).first()
    if task is None:
        raise Http404("No such task.")
    return task


def projects_for(user: User | AnonymousUser) -> list[ProjectAccess]:
    """Every project the user may see, with the role they have in it; an archived project is hidden from
    its annotators (its reviewers and leads still list it)."""
    if not user.is_authenticated:
        return []
    if user.is_staff:
        return [ProjectAccess(project=p, role=Role.LEAD) for p in Project.objects.all()]
    memberships = (
        Membership.objects.filter(user=user)
        .exclude(role=Role.ANNOTATOR, project__archived_at__isnull=False)
        .select_related("project")
        .order_by("project__name")
    )
    return [ProjectAccess(project=m.project, role=Role(m.role)) for m in memberships]
