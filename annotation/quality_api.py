"""Review and quality figures over the API, for a pipeline or a lead's script."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation import dashboard, quality, stats, timesheets
from tasks.access import access_project
from tasks.models import Role, User


class Dashboard(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Progress, judgments per day, active time and cost, review backlog (reviewers, leads)."""
        d = dashboard.dashboard(access_project(request.user, slug, role=Role.REVIEWER).project)
        data: dict[str, Any] = dataclasses.asdict(d)
        data.update(percent=d.percent, cost=str(d.cost), per_day=[[day.isoformat(), n] for day, n in d.per_day])
        return ApiResponse(data)


class Quality(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Agreement statistics and the model comparison (reviewers, leads)."""
        q = quality.project_quality(access_project(request.user, slug, role=Role.REVIEWER).project)
        data = dataclasses.asdict(q)
        data["models"] = [{**dataclasses.asdict(m), "pass_rate": m.pass_rate} for m in q.models]
        return ApiResponse(data)


class Annotators(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Per-annotator figures and flags with the assignment ids behind each flag (leads)."""
        rows = stats.annotator_stats(access_project(request.user, slug, role=Role.LEAD).project)
        return ApiResponse(
            [
                {
                    "annotator": r.username,
                    "submitted": r.submitted,
                    "active_seconds": r.active_seconds,
                    "median_minutes": r.median_minutes,
                    "agreement": r.agreement,
                    "reviewed": r.reviewed,
                    "accepted": r.accepted,
                    "acceptance_rate": r.acceptance_rate,
                    "flags": dict(r.flags),
                    "flagged_assignments": {k: v for k, v in r.flagged.items()},
                }
                for r in rows
            ]
        )


class Timesheet(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="any day of the week, YYYY-MM-DD")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The week's lines: everyone for leads, your own line otherwise."""
        access = access_project(request.user, slug)
        try:
            week = timesheets.week_of(request.query_params.get("week"), today=timezone.localdate())
        except ValueError as exc:
            return ApiResponse({"detail": str(exc)}, status=400)
        lines = timesheets.week(
            project=access.project, week_start=week, annotator=None if access.can_lead else cast(User, request.user)
        )
        return ApiResponse(
            {
                "project": access.project.slug,
                "week_start": week.isoformat(),
                "lines": [
                    {
                        "annotator": x.annotator,
                        "measured_seconds": x.measured_seconds,
                        "adjustment_seconds": x.adjustment_seconds,
                        "total_seconds": x.total_seconds,
                        "rate": str(x.rate),
                        "amount": str(x.amount),
                    }
                    for x in lines
                ],
            }
        )
