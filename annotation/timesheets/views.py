"""Timesheets page: leads see and adjust everyone's week and download it as CSV; others see their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from annotation.timesheets import services as timesheets
from tasks.access import access_project
from tasks.models import Membership, Project, User


@login_required
@require_http_methods(["GET", "POST"])
def timesheet_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project, user = access.project, cast(User, request.user)
    week = _week(request.GET.get("week") or request.POST.get("week"))
    status = 200
    if request.method == "POST":
        if not access.can_lead:
            return HttpResponse("Only leads adjust timesheets.", status=403)
        error = _adjust(request, project, user)
        if not error:
            return redirect(f"{request.path}?week={week.isoformat()}")
        messages.error(request, error)  # shown on the page below, answered with a 400
        status = 400
    lines = timesheets.week(project=project, week_start=week, annotator=None if access.can_lead else user)
    if request.GET.get("format") == "csv" and status == 200:
        response = HttpResponse(timesheets.to_csv(project, week, lines), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-timesheet-{week.isoformat()}.csv"'
        return response
    members = Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    context = {
        "project": project,
        "access": access,
        "week": week,
        "lines": lines,
        "previous": week - dt.timedelta(days=7),
        "next": week + dt.timedelta(days=7),
        "members": [m.user for m in members] if access.can_lead else [],
        "total": sum((line.amount for line in lines), Decimal("0")),
    }
    return render(request, "annotation/timesheet.html", context, status=status)


def _week(raw: str | None) -> dt.date:
    """The page shows this week for a week it cannot show (the API says why with a 400)."""
    try:
        return timesheets.week_of(raw, today=timezone.localdate())
    except ValueError:
        return timesheets.monday(timezone.localdate())


def _adjust(request: HttpRequest, project: Project, lead: User) -> str:
    """Record the form's adjustment; the message for the page when it is refused (each names its field).
    Unlike a page view, an adjustment never falls back to this week: it would land on the wrong week."""
    try:
        week = timesheets.week_of(request.GET.get("week") or request.POST.get("week"), today=timezone.localdate())
        seconds = timesheets.hours_to_seconds(request.POST.get("hours"))
        annotator = _member(project, request.POST.get("annotator"))
        timesheets.adjust(
            project=project,
            annotator=annotator,
            week_start=week,
            seconds=seconds,
            reason=request.POST.get("reason", ""),
            by=lead,
        )
    except ValueError as exc:
        return f"Not adjusted: {exc}."
    return ""


def _member(project: Project, raw: str | None) -> User:
    """The annotator the form names, by id: plain ASCII digits only ("²" passes isdigit, not int)."""
    text = (raw or "").strip()
    annotator = None
    if text.isascii() and text.isdigit():
        annotator = User.objects.filter(pk=int(text), memberships__project=project).first()
    if annotator is None:
        raise ValueError("annotator must be one of this project's members: choose one in the list")
    return annotator
