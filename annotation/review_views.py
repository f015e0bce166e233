"""The reviewers' pages: the review queue and one judgment with all its evidence."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotation import dashboard, quality, review, stats, workspace
from annotation.access import access_for_review
from annotation.models import Assignment, Judgment, Review, TestRun
from tasks.access import access_project
from tasks.models import Response, Role, User


@login_required
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    project = access_project(request.user, slug, role=Role.REVIEWER).project
    items = review.review_queue(project=project, reviewer=cast(User, request.user))
    return render(request, "annotation/review_queue.html", {"project": project, "items": items})


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_for_review(request.user, assignment_id)
    error = ""
    if request.method == "POST":
        score = request.POST.get("score", "")
        try:
            review.review_judgment(
                assignment=assignment,
                reviewer=cast(User, request.user),
                verdict=request.POST.get("verdict", ""),
                feedback=request.POST.get("feedback", ""),
                score=int(score) if score.isdigit() else None,
            )
        except review.ReviewRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"Review of {assignment.task.external_id} recorded.")
            following = review.review_queue(project=assignment.task.project, reviewer=cast(User, request.user))
            if following:
                return redirect("review-judgment", assignment_id=following[0].pk)
            return redirect("review-queue", slug=assignment.task.project.slug)
    return render(
        request, "annotation/review.html", {**_evidence(assignment), "error": error}, status=400 if error else 200
    )


def _evidence(assignment: Assignment) -> dict[str, object]:
    """Everything a reviewer weighs: the task, the responses as the annotator saw them, every test run,
    the judgment with its revisions, the time spent, and earlier reviews."""
    by_label = {r.label: r for r in Response.objects.filter(task=assignment.task)}
    responses = [(assignment.display_label(label), by_label[label]) for label in assignment.response_order]
    judgment = Judgment.objects.filter(assignment=assignment).first()
    runs = list(
        TestRun.objects.filter(assignment=assignment).select_related("test_case").prefetch_related("results__response")
    )
    show = assignment.display_label
    ranking = [
        [f"{show(x)} ({by_label[x].model_name})" for x in group] for group in (judgment.ranking if judgment else [])
    ]
    return {
        "assignment": assignment,
        "task": assignment.task,
        "project": assignment.task.project,
        "responses": responses,
        "judgment": judgment,
        "ranking": ranking,
        "revisions": judgment.revisions.count() if judgment else 0,
        "matrices": [workspace.matrix(assignment, run) for run in runs],
        "reviews": list(Review.objects.filter(assignment=assignment).select_related("reviewer")),
        "verdicts": Review.Verdict.choices,
        "can_review": assignment.status == Assignment.Status.SUBMITTED,
    }


@login_required
def quality_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreement and the model comparison, with a server-drawn plot of strengths and intervals."""
    project = access_project(request.user, slug, role=Role.REVIEWER).project
    figures = quality.project_quality(project)
    return render(request, "annotation/quality.html", {"project": project, "q": figures, "plot": _plot(figures.models)})


def _plot(rows: list[quality.ModelRow], width: int = 560, row_height: int = 28) -> dict[str, object]:
    """Coordinates for an SVG dot-and-whisker chart of Bradley-Terry strengths."""
    if not rows:
        return {"rows": [], "height": 0}
    low = min(r.low for r in rows) - 0.2
    high = max(r.high for r in rows) + 0.2
    left, right = 150, width - 20

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    points = [
        {"model": r.model, "y": 20 + i * row_height, "x": x(r.strength), "x1": x(r.low), "x2": x(r.high)}
        for i, r in enumerate(rows)
    ]
    return {"rows": points, "height": 30 + len(rows) * row_height, "width": width, "zero": x(0.0), "left": left}


@login_required
def dashboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    project = access_project(request.user, slug, role=Role.REVIEWER).project
    figures = dashboard.dashboard(project)
    peak = max((n for _, n in figures.per_day), default=0) or 1
    bars = []
    for i, (day, n) in enumerate(figures.per_day):
        height = round(110 * n / peak)
        bars.append({"day": day, "n": n, "height": height, "x": 10 + i * 34, "y": 130 - height})
    return render(request, "annotation/dashboard.html", {"project": project, "d": figures, "bars": bars})


SORTABLE = {
    "username",
    "submitted",
    "active_seconds",
    "median_minutes",
    "agreement",
    "acceptance_rate",
    "flag_count",
    "gold_accuracy",
}


@login_required
def annotators_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Per-annotator figures, sortable (?sort=, ?desc=1) and filterable (?flag=too_fast)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    rows = stats.annotator_stats(project)
    flag = request.GET.get("flag", "")
    if flag in stats.FLAGS:
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
        {"project": project, "rows": rows, "flags": list(stats.FLAG_LABELS.items()), "flag": flag},
    )
