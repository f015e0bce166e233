"""REST API for projects, tasks and import: access, service, serializer. Token or session auth."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from tasks.access import access_project, projects_for
from tasks.importing import ImportRejected, import_tasks
from tasks.models import Role, Task
from tasks.serializers import ImportResultSerializer, ProjectSerializer, TaskSerializer


class JSONLinesParser(BaseParser):
    """Hands the raw body over as bytes; the import checks it line by line."""

    media_type = "application/x-ndjson"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return stream.read() if stream is not None else b""


class JSONLParser(JSONLinesParser):
    media_type = "application/jsonl"


class PlainTextParser(JSONLinesParser):
    media_type = "text/plain"


class ProjectList(generics.ListAPIView):
    """Projects the caller is a member of, with their role in each."""

    serializer_class = ProjectSerializer
    pagination_class = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        accesses = projects_for(request.user)
        roles = {a.project.pk: a.role for a in accesses}
        data = ProjectSerializer([a.project for a in accesses], many=True, context={"roles": roles}).data
        return ApiResponse(data)


class ProjectDetail(APIView):
    @extend_schema(responses=ProjectSerializer)
    def get(self, request: Request, slug: str) -> ApiResponse:
        access = access_project(request.user, slug)
        return ApiResponse(ProjectSerializer(access.project, context={"roles": {access.project.pk: access.role}}).data)


class TaskList(generics.ListAPIView):
    """Tasks of a project with their responses (reviewers and leads)."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        access = access_project(self.request.user, self.kwargs["slug"], role=Role.REVIEWER)
        return Task.objects.for_project(access.project).prefetch_related("responses").order_by("id")


_IMPORT_ERRORS = inline_serializer(
    name="ImportRejected",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.ListField(
            child=serializers.CharField(), help_text='"line N: what is wrong", at most 200.'
        ),
        "error_count": serializers.IntegerField(),
    },
)


class TaskImport(APIView):
    """Import tasks from a JSONL body, all or nothing (leads). Errors come back as "line N: ..."."""

    parser_classes = [JSONLinesParser, JSONLParser, PlainTextParser]

    @extend_schema(
        request=OpenApiRequest(request={"type": "string", "format": "binary"}),
        parameters=[OpenApiParameter("dry_run", bool, description="Check the file, write nothing.")],
        responses={201: ImportResultSerializer, 200: ImportResultSerializer, 400: _IMPORT_ERRORS},
    )
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = access_project(request.user, slug, role=Role.LEAD).project
        dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        body = request.data if isinstance(request.data, bytes) else b""
        try:
            result = import_tasks(project=project, lines=body.split(b"\n"), dry_run=dry_run)
        except ImportRejected as rejected:
            payload = {
                "detail": f"import rejected: {rejected.total} error(s), nothing was written",
                "errors": rejected.errors,
                "error_count": rejected.total,
            }
            return ApiResponse(payload, status=status.HTTP_400_BAD_REQUEST)
        payload = {"project": project.slug, "imported": result.created, "checked": result.total, "dry_run": dry_run}
        return ApiResponse(payload, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)
