"""The leads' webhook pages: the project's endpoints (and a form to add one), and one endpoint with its
settings, its secret (shown on demand, never in a GET), a test ping and the delivery log."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotation.models import WebhookDelivery, WebhookEndpoint
from annotation.webhooks import services as webhooks
from annotation.webhooks.access import access_endpoint
from tasks.access import access_project
from tasks.models import Role, User

LOG_PAGE = 25  # deliveries per page of the log


@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's endpoints; a POST registers one and opens it (a refusal re-renders with the reason, 400)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    error = ""
    if request.method == "POST":
        try:
            endpoint = webhooks.create_endpoint(
                project=project,
                url=request.POST.get("url", ""),
                events=request.POST.getlist("events"),
                user=cast(User, request.user),
            )
        except webhooks.WebhookRefused as refused:
            error = str(refused)
        else:
            messages.success(request, "Endpoint added. Show its secret below and give it to the receiver.")
            return redirect("webhook-endpoint", slug=project.slug, endpoint_id=endpoint.pk)
    context = {
        "project": project,
        "endpoints": WebhookEndpoint.objects.filter(project=project).select_related("created_by"),
        "events": webhooks.EVENTS,
        "form_error": error,
        "form_url": request.POST.get("url", ""),
        "form_events": request.POST.getlist("events"),
    }
    return render(request, "annotation/webhooks.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_page(request: HttpRequest, slug: str, endpoint_id: int) -> HttpResponse:
    """One endpoint: its settings and actions (a POST names its `action`), and its delivery log."""
    endpoint = access_endpoint(request.user, endpoint_id, slug=slug)
    if request.method == "GET":
        return _endpoint(request, endpoint)
    act = ACTIONS.get(request.POST.get("action", ""))
    if act is None:
        return _endpoint(request, endpoint, error=f"Nothing done: action must be one of {', '.join(ACTIONS)}.")
    try:
        return act(request, endpoint)
    except webhooks.WebhookRefused as refused:
        return _endpoint(request, endpoint, error=f"Nothing done: {refused}.")


def _endpoint(request: HttpRequest, endpoint: WebhookEndpoint, *, error: str = "", secret: str = "") -> HttpResponse:
    rows = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
    page = Paginator(rows, LOG_PAGE).get_page(request.GET.get("page"))
    context = {
        "project": endpoint.project,
        "endpoint": endpoint,
        "events": webhooks.EVENTS,
        "page": page,
        "form_error": error,
        "secret": secret,
    }
    response = render(request, "annotation/webhooks_endpoint.html", context, status=400 if error else 200)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


def _save(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    webhooks.update_endpoint(
        endpoint=endpoint,
        actor=cast(User, request.user),
        url=request.POST.get("url", ""),
        events=request.POST.getlist("events"),
        active=request.POST.get("active") == "on",
    )
    messages.success(request, "Endpoint saved.")
    return _back(endpoint)


def _show_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    return _endpoint(request, endpoint, secret=endpoint.secret)


def _rotate_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    webhooks.rotate_secret(endpoint=endpoint, actor=cast(User, request.user))
    return _endpoint(request, endpoint, secret=endpoint.secret)


def _ping(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    webhooks.send_ping(endpoint=endpoint)
    messages.success(request, "Ping queued: its delivery is at the top of the log.")
    return _back(endpoint)


def _delete(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    slug = endpoint.project.slug
    webhooks.delete_endpoint(endpoint=endpoint, actor=cast(User, request.user))
    messages.success(request, "Endpoint deleted.")
    return redirect("webhooks", slug=slug)


def _redeliver(request: HttpRequest, endpoint: WebhookEndpoint) -> HttpResponse:
    chosen = request.POST.get("delivery", "")
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=int(chosen)).first() if chosen.isdigit() else None
    if delivery is None:
        raise webhooks.WebhookRefused("delivery is not a delivery of this endpoint")
    webhooks.redeliver(delivery=delivery)
    messages.success(request, f"Event {delivery.event_id} queued again, with the same id.")
    return _back(endpoint)


def _back(endpoint: WebhookEndpoint) -> HttpResponse:
    return redirect("webhook-endpoint", slug=endpoint.project.slug, endpoint_id=endpoint.pk)


ACTIONS: dict[str, Callable[[HttpRequest, WebhookEndpoint], HttpResponse]] = {
    "save": _save,
    "secret": _show_secret,
    "rotate": _rotate_secret,
    "ping": _ping,
    "redeliver": _redeliver,
    "delete": _delete,
}
