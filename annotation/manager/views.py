"""The task manager page: reviewers and leads search the project's tasks; leads act on the ticked ones,
or on every task the filter matches after confirming their number."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotation.manager import serializers as s
from annotation.manager import services as manager
from sandbox import languages
from tasks.access import ProjectAccess, access_project
from tasks.models import Role


@login_required
@require_http_methods(["GET", "POST"])
def task_manager(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the list with its filters (the query string). POST (leads): a bulk action on the ticked tasks
    or, after a confirmation showing their number, on every task the query string's filter matches."""
    access = access_project(request.user, slug, role=Role.REVIEWER)
    form = s.SearchInput(data=request.GET)
    if not form.is_valid():
        context = {**_choices(access), "form": request.GET, "error": s.filter_errors(form)}
        return render(request, "annotation/manager/tasks.html", context, status=400)
    task_filter = form.task_filter()
    if request.method == "POST":
        if not access.can_lead:
            raise PermissionDenied("Only the project's leads act on tasks in bulk.")
        return _bulk(request, access, task_filter)
    return _list(request, access, task_filter)


def _list(request: HttpRequest, access: ProjectAccess, task_filter: manager.TaskFilter) -> HttpResponse:
    project = access.project
    page = Paginator(manager.with_models(manager.search(project, task_filter)), manager.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = manager.status_counts(project, task_filter)
    tabs = [("", "All", sum(counts.values()), _query(request.GET, status=None))]
    tabs += [
        (value, label, counts[value], _query(request.GET, status=value)) for value, label in manager.Status.choices
    ]
    context = {
        **_choices(access),
        "form": request.GET,
        "page": page,
        "tabs": tabs,
        "labels": dict(manager.Status.choices),
        "page_query": _query(request.GET),
    }
    return render(request, "annotation/manager/tasks.html", context)


def _bulk(request: HttpRequest, access: ProjectAccess, task_filter: manager.TaskFilter) -> HttpResponse:
    action = request.POST.get("action", "")
    back = redirect(request.get_full_path())
    try:
        priority = _number("priority", request.POST.get("priority", ""))
        manager.check_action(action, priority)
        if request.POST.get("scope") == "filter":
            if "expected" not in request.POST:  # first the number, then the deed
                return _confirm(request, access, task_filter, action, priority)
            result = manager.bulk_action(
                project=access.project,
                action=action,
                task_filter=task_filter,
                priority=priority,
                expected=_number("expected", request.POST["expected"]),
            )
        else:
            result = manager.bulk_action(
                project=access.project, action=action, task_ids=request.POST.getlist("task"), priority=priority
            )
    except manager.BulkRefused as refused:
        messages.error(request, f"Nothing done: {refused}.")
        return back
    (messages.success if result.done else messages.error)(request, f"{result.message}.")
    return back


def _confirm(
    request: HttpRequest, access: ProjectAccess, task_filter: manager.TaskFilter, action: str, priority: int | None
) -> HttpResponse:
    count = manager.search(access.project, task_filter).count()
    context = {
        "project": access.project,
        "action": action,
        "action_label": manager.Action(action).label,
        "priority": priority,
        "count": count,
        "described": _described(task_filter),
        "back": _query(request.GET),
    }
    return render(request, "annotation/manager/confirm.html", context)


def _number(name: str, value: str) -> int | None:
    """A whole number from the form, None when left empty; BulkRefused otherwise."""
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise manager.BulkRefused(f"{name}: {value!r} is not a whole number") from None


def _described(task_filter: manager.TaskFilter) -> list[tuple[str, str]]:
    """The filter in words, for the confirmation."""
    f = task_filter
    parts = [
        ("text", f.q),
        ("id starts with", f.id_prefix),
        ("model", f.model),
        ("language", f.language),
        ("status", manager.Status(f.status).label if f.status else ""),
        ("priority", "" if f.priority is None else str(f.priority)),
    ]
    return [(name, value) for name, value in parts if value]


def _query(params: QueryDict, **changes: str | None) -> str:
    """The query string with `changes` (None removes a key), always without the page number."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


def _choices(access: ProjectAccess) -> dict[str, object]:
    return {
        "project": access.project,
        "access": access,
        "models": manager.model_names(access.project),
        "languages": languages.choices(),
        "statuses": manager.Status.choices,
        "sorts": [(key, label) for key, (label, _) in manager.SORTS.items()],
        "actions": manager.Action.choices,
    }
