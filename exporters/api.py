"""Exports over the API, for the fine-tuning pipeline: create, status, list, download (streamed)."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from exporters import options, services
from exporters.access import access_export
from exporters.models import ExportJob
from exporters.serializers import ExportInput, ExportOutput
from exporters.views import serve_file
from tasks.access import access_project
from tasks.limits import PAGE_PARAMETERS, ApiPagination, page_of
from tasks.models import Role, User


class ProjectExports(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(ExportOutput, "PaginatedExportOutputList"))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's exports, newest first, a page at a time (`?limit=&offset=`; leads)."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        pages = ApiPagination()
        page = pages.paginate_queryset(ExportJob.objects.filter(project=project), request, view=self)
        return pages.get_paginated_response(ExportOutput(page, many=True).data)

    @extend_schema(request=ExportInput, responses={202: ExportOutput})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Start an export; poll it until status is done, then download it."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        try:
            chosen = _options(request.data)
            job = services.start_export(project=project, user=cast(User, request.user), options=chosen)
        except options.ExportInvalid as invalid:
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


def _options(data: Any) -> options.ExportOptions:
    """The body's options: a JSON object, or a form (whose repeated fields are lists)."""
    if isinstance(data, MultiValueDict):
        return options.ExportOptions.from_form(data)
    return options.ExportOptions.parse(data)
