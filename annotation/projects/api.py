"""Project setup over the REST API, with the pages' rules: create (the "Can create projects" permission or
staff), and for a project's leads its settings (read, change), archive, unarchive, duplicate and the audit
log. A refused setting answers 400 {field: [why]}, as the settings page says it."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.projects import serializers as s
from annotation.projects import services
from tasks.access import access_project
from tasks.limits import PAGE_PARAMETERS, ApiPagination, page_of
from tasks.models import AuditEvent, Project, Role, User


def _valid(serializer: type[serializers.Serializer], request: Request, *, partial: bool = False) -> dict[str, Any]:
    checked = serializer(data=request.data, partial=partial)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


def _refused(refused: services.SettingsRefused) -> ValidationError:
    """The refusal as REST framework words its own: {field: [why]}."""
    return ValidationError({field: [message] for field, message in refused.errors.items()})


def _settings(project: Project, *, code: int = status.HTTP_200_OK) -> ApiResponse:
    return ApiResponse(s.SettingsOutput(project).data, status=code)


class ProjectCreate(APIView):
    @extend_schema(operation_id="project_create", request=s.CreateInput, responses={201: s.SettingsOutput})
    def post(self, request: Request) -> ApiResponse:
        """Create a project; the caller becomes its lead. Settings left out take their defaults."""
        services.require_creator(request.user)
        data = _valid(s.CreateInput, request)
        slug = data.pop("slug")
        try:
            project = services.create_project(actor=cast(User, request.user), slug=slug, values=data)
        except services.SettingsRefused as refused:
            raise _refused(refused) from None
        return _settings(project, code=status.HTTP_201_CREATED)


class ProjectSettings(APIView):
    @extend_schema(operation_id="project_settings_retrieve", responses=s.SettingsOutput)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Every setting of the project (leads)."""
        return _settings(access_project(request.user, slug, role=Role.LEAD).project)

    @extend_schema(operation_id="project_settings_update", request=s.SettingsInput, responses=s.SettingsOutput)
    def patch(self, request: Request, slug: str) -> ApiResponse:
        """Change some settings (what is left out stays); refused once work has started if it would make
        stored judgments wrong (README, "Setting up a project")."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        data = _valid(s.SettingsInput, request, partial=True)
        try:
            services.update_project(project=project, actor=cast(User, request.user), values=data)
        except services.SettingsRefused as refused:
            raise _refused(refused) from None
        return _settings(project)


class ProjectArchive(APIView):
    @extend_schema(operation_id="project_archive", request=None, responses=s.SettingsOutput)
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Archive the project: no claims, submits or imports, hidden from its annotators."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        return _settings(services.archive_project(project=project, actor=cast(User, request.user)))


class ProjectUnarchive(APIView):
    @extend_schema(operation_id="project_unarchive", request=None, responses=s.SettingsOutput)
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Open an archived project again."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        return _settings(services.unarchive_project(project=project, actor=cast(User, request.user)))


class ProjectDuplicate(APIView):
    @extend_schema(operation_id="project_duplicate", request=s.DuplicateInput, responses={201: s.SettingsOutput})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """A new project with this one's settings, no tasks and the caller as its only member (lead here,
        and allowed to create projects)."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        services.require_creator(request.user)
        data = _valid(s.DuplicateInput, request)
        try:
            copy = services.duplicate_project(project=project, actor=cast(User, request.user), **data)
        except services.SettingsRefused as refused:
            raise _refused(refused) from None
        return _settings(copy, code=status.HTTP_201_CREATED)


class ProjectAudit(APIView):
    @extend_schema(
        operation_id="project_audit",
        parameters=PAGE_PARAMETERS,
        responses=page_of(s.AuditEventOutput, "PaginatedAuditEventList"),
    )
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Who changed which setting, role or membership, and when: newest first (`?limit=&offset=`)."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        pages = ApiPagination()
        rows = AuditEvent.objects.filter(project=project).select_related("actor")
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(s.AuditEventOutput(page, many=True).data)
