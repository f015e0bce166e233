"""The leads' pages: quality (agreement, model comparison), dashboard, annotators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation.quality import annotators, charts, dashboard, report
from tasks.access import access_project
from tasks.models import Role


@login_required
def quality_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreement and the model comparison, with a server-drawn plot of strengths and intervals."""
    project = access_project(request.user, slug, role=Role.REVIEWER).project
    figures = report.project_quality(project)
    return render(
        request, "annotation/quality.html", {"project": project, "q": figures, "plot": charts.strengths(figures.models)}
    )


@login_required
def dashboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug, role=Role.REVIEWER)
    figures = dashboard.dashboard(access.project)
    bars = charts.per_day(figures.per_day)
    context = {"project": access.project, "d": figures, "bars": bars, "access": access}
    return render(request, "annotation/dashboard.html", context)


SORTABLE = {
    "username",
    "submitted",
    "active_seconds",
    "idle_seconds",
    "median_minutes",
    "peer_agreement",
    "acceptance_rate",
    "flag_count",
    "gold_accuracy",
}


@login_required
def annotators_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Per-annotator figures, sortable (?sort=, ?desc=1) and filterable (?flag=too_fast)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    rows = annotators.annotator_stats(project)
    flag = request.GET.get("flag", "")
    if flag in annotators.FLAGS:
        rows = [r for r in rows if r.flags[flag]]
    key = request.GET.get("sort", "username")
    if key in SORTABLE:
        rows.sort(
            key=lambda r: (getattr(r, key) is None, getattr(r, key) or 0) if key != "username" else (False, r.username),
            reverse=request.GET.get("desc") == "1",
        )
    return render(
        request,
        "annotation/annotators.html",
        {"project": project, "rows": rows, "flags": list(annotators.FLAG_LABELS.items()), "flag": flag},
    )
