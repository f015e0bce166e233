"""The leads' setup pages: create a project, its settings (with live previews of the instructions and of
the rubric as annotators see it), archive, duplicate, and the project's audit log."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotation.projects import services
from annotation.projects.forms import CreateForm, DuplicateForm, SettingsForm
from tasks.access import access_project
from tasks.models import AuditEvent, Project, RankingMode, Role, User

AUDIT_PAGE = 50  # events per page of the audit log
SAMPLE_RESPONSE = "def add(a, b):\n    return a + b\n"


@login_required
@require_http_methods(["GET", "POST"])
def create_page(request: HttpRequest) -> HttpResponse:
    """A new project; its creator becomes its lead and lands on its settings."""
    services.require_creator(request.user)
    form = CreateForm(request.POST if request.method == "POST" else None, initial=SettingsForm.initial_of(Project()))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "slug"}
        try:
            project = services.create_project(
                actor=cast(User, request.user), slug=form.cleaned_data["slug"], values=values
            )
        except services.SettingsRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, f"Project {project.name} created; you are its lead. Import tasks next.")
            return redirect("project-settings", slug=project.slug)
    context = {"form": form, "project": None, "preview_url": reverse("project-create-preview"), **_locked(None)}
    return render(request, "annotation/projects/settings.html", _with_previews(context, form), status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every setting of the project; a refused change re-renders with the reason (400)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    form = SettingsForm(request.POST if request.method == "POST" else None, initial=SettingsForm.initial_of(project))
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_project(project=project, actor=cast(User, request.user), values=form.cleaned_data)
        except services.SettingsRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, f"Saved: {', '.join(changes)}." if changes else "Nothing changed.")
            return redirect("project-settings", slug=project.slug)
    context = {
        "form": form,
        "project": project,
        "preview_url": reverse("project-settings-preview", args=[project.slug]),
        "judgments": services.work_started(project),
        "duplicate": DuplicateForm(initial={"slug": f"{project.slug}-copy"[:64], "name": f"{project.name} (copy)"}),
        "can_create": services.can_create(request.user),
        **_locked(project),
    }
    return render(request, "annotation/projects/settings.html", _with_previews(context, form), status=_status(form))


@login_required
@require_POST
def create_preview(request: HttpRequest) -> HttpResponse:
    """The create page's live previews (htmx)."""
    services.require_creator(request.user)
    return _preview(request)


@login_required
@require_POST
def settings_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The settings page's live previews (htmx)."""
    access_project(request.user, slug, role=Role.LEAD)
    return _preview(request)


def _preview(request: HttpRequest) -> HttpResponse:
    """`part=instructions`: the Markdown as the project renders it (sanitized); else the rubric's ratings
    block as the workspace shows it, for one sample response, or why the rubric is not valid yet."""
    if request.POST.get("part") == "instructions":
        return render(request, "annotation/projects/settings.html#instructions_preview", _instructions(request.POST))
    return render(request, "annotation/projects/settings.html#rubric_preview", _rubric(request.POST.get("rubric", "")))


def _instructions(data: Any) -> dict[str, Any]:
    text = data.get("instructions") or ""
    if len(text) > services.MAX_TEXT:
        return {"instructions_error": f"the instructions are over {services.MAX_TEXT:,} characters"}
    return {"instructions": text}


def _rubric(raw: Any) -> dict[str, Any]:
    """The preview's context for a rubric given as JSON text or as a list."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return {"rubric_error": "the rubric is not valid JSON yet"}
    try:
        dimensions = services.clean_rubric(value)
    except ValueError as wrong:
        return {"rubric_error": str(wrong)}
    return {"rubric": dimensions, "sample": SAMPLE_RESPONSE}


def _with_previews(context: dict[str, Any], form: SettingsForm) -> dict[str, Any]:
    data = form.data if form.is_bound else form.initial
    rubric = data.get("rubric") if form.is_bound else form.initial.get("rubric")
    return {**context, **_instructions(data), **_rubric(rubric), "RankingMode": RankingMode}


def _locked(project: Project | None) -> dict[str, str]:
    """The saved keys, which the editors show read-only: judgments and line comments are stored by key."""
    return {
        "locked_dimensions": json.dumps([d["key"] for d in project.rubric] if project else []),
        "locked_categories": json.dumps([c["key"] for c in project.comment_categories] if project else []),
    }


def _add_errors(form: SettingsForm, refused: services.SettingsRefused) -> None:
    for field, message in refused.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _status(form: SettingsForm) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
@require_POST
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    project = access_project(request.user, slug, role=Role.LEAD).project
    services.archive_project(project=project, actor=cast(User, request.user))
    messages.success(request, f"{project.name} is archived: read-only, and hidden from its annotators.")
    return redirect("project-settings", slug=project.slug)


@login_required
@require_POST
def unarchive(request: HttpRequest, slug: str) -> HttpResponse:
    project = access_project(request.user, slug, role=Role.LEAD).project
    services.unarchive_project(project=project, actor=cast(User, request.user))
    messages.success(request, f"{project.name} is open again.")
    return redirect("project-settings", slug=project.slug)


@login_required
@require_POST
def duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    """A new project with this one's settings; needs the lead role here and the right to create projects."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    services.require_creator(request.user)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not duplicated: give the new project a slug and a name.")
        return redirect("project-settings", slug=project.slug)
    try:
        copy = services.duplicate_project(project=project, actor=cast(User, request.user), **form.cleaned_data)
    except services.SettingsRefused as refused:
        messages.error(request, f"Not duplicated: {refused}.")
        return redirect("project-settings", slug=project.slug)
    messages.success(request, f"{copy.name} created with the settings of {project.name}.")
    return redirect("project-settings", slug=copy.slug)


@login_required
@require_GET
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Who changed what and when, newest first."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    events = AuditEvent.objects.filter(project=project).select_related("actor")
    page = Paginator(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    rows = [
        (event, [(field, _shown(old), _shown(new)) for field, (old, new) in event.changes.items()]) for event in page
    ]
    return render(request, "annotation/projects/audit.html", {"project": project, "page": page, "rows": rows})


def _shown(value: Any) -> str:
    """A value of the audit log as the page prints it: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
