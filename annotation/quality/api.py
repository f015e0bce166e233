"""The leads' figures over the API (dashboard, quality, annotators), for a pipeline or a lead's script.
Each returns the serializer of quality/serializers.py, so the API and the pages show the same fields."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.quality import annotators, dashboard, report
from annotation.quality import serializers as s
from tasks.access import access_project
from tasks.models import Role


class Dashboard(APIView):
    @extend_schema(responses=s.DashboardOutput)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Progress, judgments per day, active time and cost, review backlog (reviewers, leads)."""
        figures = dashboard.dashboard(access_project(request.user, slug, role=Role.REVIEWER).project)
        return ApiResponse(s.DashboardOutput(figures).data)


class Quality(APIView):
    @extend_schema(responses=s.QualityOutput)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Agreement statistics and the model comparison (reviewers, leads)."""
        figures = report.project_quality(access_project(request.user, slug, role=Role.REVIEWER).project)
        return ApiResponse(s.QualityOutput(figures).data)


class Annotators(APIView):
    @extend_schema(responses=s.AnnotatorOutput(many=True))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Per-annotator figures and flags with the assignment ids behind each flag (leads)."""
        rows = annotators.annotator_stats(access_project(request.user, slug, role=Role.LEAD).project)
        return ApiResponse(s.AnnotatorOutput(rows, many=True).data)
