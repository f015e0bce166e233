"""Guarded reads of webhook endpoints and deliveries: a project's leads (and staff) only. As everywhere,
a non-member gets 404 and a member whose role is too low 403 (tasks/access.py)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from annotation.models import WebhookDelivery, WebhookEndpoint
from tasks.access import access_project, role_in
from tasks.models import Project, Role, User


def access_endpoint(user: User | AnonymousUser, endpoint_id: int, *, slug: str | None = None) -> WebhookEndpoint:
    """An endpoint of a project the user leads; with `slug`, it must also belong to that project."""
    if slug is not None:
        project = access_project(user, slug, role=Role.LEAD).project
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, project=project).select_related("project").first()
        if endpoint is None:
            raise Http404("No such webhook endpoint.")
        return endpoint
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).select_related("project").first()
    _lead_of(user, endpoint.project if endpoint else None, "webhook endpoint")
    assert endpoint is not None
    return endpoint


def access_delivery(user: User | AnonymousUser, delivery_id: int) -> WebhookDelivery:
    """A delivery to an endpoint of a project the user leads."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).select_related("endpoint__project").first()
    _lead_of(user, delivery.endpoint.project if delivery else None, "webhook delivery")
    assert delivery is not None
    return delivery


def _lead_of(user: User | AnonymousUser, project: Project | None, what: str) -> None:
    role = role_in(user, project) if project is not None else None
    if project is None or role is None:
        raise Http404(f"No such {what}.")
    if not role.includes(Role.LEAD):
        raise PermissionDenied(f"This needs the lead role in project {project.slug}.")
