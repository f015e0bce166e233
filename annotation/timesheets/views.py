"""Timesheets page: leads see and adjust everyone's week and download it as CSV; others see their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
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
    if request.method == "POST":
        if not access.can_lead:
            return HttpResponse("Only leads adjust timesheets.", status=403)
        error = _adjust(request, project, week, user)
        if error:
            messages.error(request, error)
        return redirect(f"{request.path}?week={week.isoformat()}")
    lines = timesheets.week(project=project, week_start=week, annotator=None if access.can_lead else user)
    if request.GET.get("format") == "csv":
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
    return render(request, "annotation/timesheet.html", context)


def _week(raw: str | None) -> dt.date:
    """The page shows this week for a week it cannot show (the API says why with a 400)."""
    try:
        return timesheets.week_of(raw, today=timezone.localdate())
    except ValueError:
        return timesheets.monday(timezone.localdate())


def _adjust(request: HttpRequest, project: Project, week: dt.date, lead: User) -> str:
    try:
        hours = Decimal(request.POST.get("hours", ""))
        annotator = User.objects.get(pk=int(request.POST.get("annotator", "0")), memberships__project=project)
        timesheets.adjust(
            project=project,
            annotator=annotator,
            week_start=week,
            seconds=int(hours * 3600),
            reason=request.POST.get("reason", ""),
            by=lead,
        )
    except (InvalidOperation, ValueError, User.DoesNotExist) as exc:
        return f"Not adjusted: {exc}" if str(exc) else "Not adjusted: give hours (e.g. -0.5) and a reason."
    return ""
