"""The timesheet over the API: a week's lines."""

from __future__ import annotations

from typing import cast

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.timesheets import services as timesheets
from tasks.access import access_project
from tasks.models import User


class LineOutput(serializers.Serializer):
    annotator = serializers.CharField()
    measured_seconds = serializers.IntegerField(help_text="Active time the heartbeats measured.")
    adjustment_seconds = serializers.IntegerField(help_text="A lead's corrections, with their reasons on the page.")
    total_seconds = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class TimesheetOutput(serializers.Serializer):
    project = serializers.CharField()
    week_start = serializers.DateField()
    lines = LineOutput(many=True)


class Timesheet(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="any day of the week, YYYY-MM-DD")],
        responses=TimesheetOutput,
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
        return ApiResponse(TimesheetOutput({"project": access.project.slug, "week_start": week, "lines": lines}).data)
