"""REST API for projects, tasks and import: access, service, serializer. Token or session auth."""

from __future__ import annotations

import io
from typing import IO, Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from tasks import auth, staging
from tasks.access import access_project, projects_for
from tasks.importing import ImportRejected, import_tasks
from tasks.limits import RouteRateThrottle
from tasks.models import Role, Task
from tasks.serializers import ImportResultSerializer, ProjectSerializer, TaskSerializer


class ImportTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONLinesParser(BaseParser):
    """Hands the raw body over as a temporary file, never as one big bytes object: the import reads it
    line by line, twice (check, then write), so a big file does not sit in memory."""

    media_type = "application/x-ndjson"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> IO[bytes]:  # type: ignore[override]
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            return staging.spool(stream, limit=settings.IMPORT_MAX_FILE_BYTES, declared=declared)
        except staging.BodyTooLarge as exc:
            raise ImportTooLarge(str(exc)) from None


class JSONLParser(JSONLinesParser):
    media_type = "application/jsonl"


class PlainTextParser(JSONLinesParser):
    media_type = "text/plain"


class ProjectList(APIView):
    """Projects the caller is a member of, with their role in each (a plain view: the browsable API
    asked a generic list view for a queryset it has none of, and answered 500)."""

    @extend_schema(responses=ProjectSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
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
        data: Any = request.data  # the parser's temporary file; without a body, DRF gives {}
        body: IO[bytes] = data if hasattr(data, "readline") else io.BytesIO()
        try:
            result = import_tasks(project=project, lines=body, dry_run=dry_run)
        except ImportRejected as rejected:
            payload = {
                "detail": f"import rejected: {rejected.total} error(s), nothing was written",
                "errors": rejected.errors,
                "error_count": rejected.total,
            }
            return ApiResponse(payload, status=status.HTTP_400_BAD_REQUEST)
        finally:
            body.close()
        payload = {"project": project.slug, "imported": result.created, "checked": result.total, "dry_run": dry_run}
        return ApiResponse(payload, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


class ObtainToken(ObtainAuthToken):
    """POST a username and password, get your API token: the one you have, or a new one when it expired.
    Throttled per address (RATE_LIMITS) and locked out like the login page (LOGIN_FAILURE_LIMIT)."""

    throttle_classes = [RouteRateThrottle]  # REST framework's own view has none

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer(
                "TokenAnswer", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        credentials = self.get_serializer(data=request.data)
        if not credentials.is_valid():
            if getattr(request, "axes_locked_out", False):  # set by django-axes on this request
                return ApiResponse({"detail": auth.lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise ValidationError(credentials.errors)
        token = auth.current_token(credentials.validated_data["user"])
        answer = ApiResponse({"token": token.key, "expires": auth.expires_at(token)})
        answer["Cache-Control"] = "no-store"  # the answer is a credential
        return answer
