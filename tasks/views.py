"""Pages for projects, tasks and imports. Each view: access, service, render."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from tasks import auth, services, staging  # importing auth also connects its logout receiver
from tasks.access import access_project, access_task, projects_for
from tasks.importing import ImportRejected, import_tasks
from tasks.models import Role, Task, User


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    accesses = projects_for(request.user)
    counts = dict(
        Task.objects.filter(project__in=[a.project for a in accesses])
        .values("project")
        .annotate(n=Count("id"))
        .values_list("project", "n")
    )
    rows = [(access, counts.get(access.project.pk, 0)) for access in accesses]
    # the "New project" button: the same rule as annotation/projects/services.can_create (tasks knows no annotation)
    can_create = request.user.is_staff or request.user.has_perm("tasks.create_project")
    return render(request, "tasks/project_list.html", {"rows": rows, "Role": Role, "can_create": can_create})


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    context: dict[str, object] = {"access": access, "project": access.project, "Role": Role}
    if access.can(Role.REVIEWER):
        tasks = access.project.tasks.annotate(response_count=Count("responses")).order_by("id")
        context["page"] = Paginator(tasks, 50).get_page(request.GET.get("page"))
        context["task_count"] = tasks.count()
    return render(request, "tasks/project_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, slug: str, external_id: str) -> HttpResponse:
    task = access_task(request.user, slug, external_id, role=Role.REVIEWER)
    is_lead = access_project(request.user, slug).can_lead
    error = ""
    if request.method == "POST":
        if not is_lead:
            return HttpResponse("Only leads mark gold tasks.", status=403)
        try:
            services.mark_gold(
                task=task, preferred=request.POST.get("preferred") or None, last=request.POST.get("last") or None
            )
        except ValueError as invalid:
            error = str(invalid)
        else:
            messages.success(request, "Gold answer saved." if task.gold_answer else "The task is no longer gold.")
            return redirect("task-detail", slug=slug, external_id=external_id)
    context = {
        "task": task,
        "project": task.project,
        "responses": task.responses.all(),
        "is_lead": is_lead,
        "error": error,
    }
    return render(request, "tasks/task_detail.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a JSONL file: it is checked (nothing written) and shown as a preview or as its error list."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    context: dict[str, object] = {"project": project}
    if request.method == "GET":
        return render(request, "tasks/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["form_error"] = "Choose a JSONL file to upload."
        return render(request, "tasks/import.html", context, status=400)
    context["filename"] = upload.name
    if upload.size is not None and upload.size > settings.IMPORT_MAX_FILE_BYTES:
        context["form_error"] = (
            f"The file is over {settings.IMPORT_MAX_FILE_BYTES:,} bytes (IMPORT_MAX_FILE_BYTES): split it."
        )
        return render(request, "tasks/import.html", context, status=400)
    staged = staging.stage(upload.chunks())
    try:
        with staging.staged_path(staged).open("rb") as handle:
            context["result"] = import_tasks(project=project, lines=handle, dry_run=True)
    except ImportRejected as rejected:
        staging.discard(staged)
        context["rejected"] = rejected
        return render(request, "tasks/import.html", context, status=400)
    staging.discard(request.session.get(_session_key(project.slug)))  # the upload this one replaces
    request.session[_session_key(project.slug)] = context["staged"] = staged
    return render(request, "tasks/import.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Import the file checked on the upload step; it is checked again, as the project may have changed."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    staged = request.session.pop(_session_key(project.slug), None)
    if not staged or staged != request.POST.get("staged") or not _staged_path(staged).exists():
        messages.error(request, "That upload is no longer waiting to be imported: upload the file again.")
        return redirect("task-import", slug=project.slug)
    path = _staged_path(staged)
    try:
        with path.open("rb") as handle:
            result = import_tasks(project=project, lines=handle)
    except ImportRejected as rejected:
        return render(request, "tasks/import.html", {"project": project, "rejected": rejected}, status=400)
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, f"Imported {result.created} tasks into {project.name}.")
    return redirect("project-detail", slug=project.slug)


def _session_key(slug: str) -> str:
    return f"import-staged:{slug}"


def _staged_path(staged: str) -> Path:
    return staging.staged_path(staged)


@never_cache  # the page shows the key: no browser or proxy may keep a copy
@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=cast(User, request.user)).first()
    context = {
        "token": token,
        "expires": auth.expires_at(token) if token else None,
        "expired": auth.is_expired(token) if token else False,
        "max_age_days": settings.API_TOKEN_MAX_AGE_DAYS,
    }
    return render(request, "tasks/api_token.html", context)


@never_cache
@login_required
@require_POST
def api_token_reset(request: HttpRequest) -> HttpResponse:
    """Create the user's API token, or replace it (the old one stops working at once)."""
    services.rotate_api_token(user=cast(User, request.user))
    messages.success(request, "A new API token was created; the previous one no longer works.")
    return redirect("api-token")
