"""Exports over the API, for the fine-tuning pipeline: create, status, list, download (streamed)."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from exporters import services
from exporters.access import access_export
from exporters.models import ExportJob
from exporters.serializers import ExportInput, ExportOutput
from exporters.views import serve_file
from tasks.access import access_project
from tasks.models import Role, User


class ProjectExports(APIView):
    @extend_schema(responses=ExportOutput(many=True))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's exports, newest first (leads)."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        return ApiResponse(ExportOutput(ExportJob.objects.filter(project=project)[:100], many=True).data)

    @extend_schema(request=ExportInput, responses={202: ExportOutput})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Start an export; poll it until status is done, then download it."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        checked = ExportInput(data=request.data)
        checked.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(checked.validated_data)
        since = ExportJob.objects.filter(pk=data.pop("since"), project=project).first() if data.get("since") else None
        data.pop("since", None)
        filters = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if k in services.FILTER_KEYS
        }
        try:
            job = services.start_export(
                project=project,
                user=cast(User, request.user),
                format=data["format"],
                mode=data["mode"],
                filters=filters,
                gzip=data["gzip"],
                since=since,
            )
        except services.ExportInvalid as invalid:
            return ApiResponse({"detail": str(invalid)}, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(ExportOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDetail(APIView):
    @extend_schema(responses=ExportOutput)
    def get(self, request: Request, export_id: int) -> ApiResponse:
        """An export's status, progress, counts, sha256 and manifest."""
        return ApiResponse(ExportOutput(access_export(request.user, export_id)).data)


class ExportDownload(APIView):
    @extend_schema(responses={(200, "application/jsonl"): OpenApiTypes.BINARY})
    def get(self, request: Request, export_id: int) -> FileResponse:
        """The dataset file, streamed (JSONL, or gzip if asked)."""
        return serve_file(access_export(request.user, export_id))
