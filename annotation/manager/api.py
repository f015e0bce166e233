"""The task manager over the REST API: search (reviewers and leads), bulk actions (leads)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.manager import serializers as s
from annotation.manager import services as manager
from tasks.access import access_project
from tasks.limits import PAGE_PARAMETERS, ApiPagination
from tasks.models import Role


class TaskSearch(APIView):
    @extend_schema(parameters=[s.SearchInput, *PAGE_PARAMETERS], responses=s.SearchPage)
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's tasks matching the filter, in its order, a page at a time (`?limit=&offset=`),
        with the count of matching tasks in each status."""
        project = access_project(request.user, slug, role=Role.REVIEWER).project
        form = s.SearchInput(data=request.query_params)
        form.is_valid(raise_exception=True)
        task_filter = form.task_filter()
        pages = ApiPagination()
        page = pages.paginate_queryset(manager.with_models(manager.search(project, task_filter)), request, view=self)
        answer = pages.get_paginated_response(s.TaskRow(page, many=True).data)
        answer.data["status_counts"] = manager.status_counts(project, task_filter)
        return answer


class TaskBulk(APIView):
    @extend_schema(
        request=s.BulkInput,
        responses={200: s.BulkOutput, 400: s.Detail, 409: s.Detail},
    )
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Mark or unmark gold, retire, re-release, set the priority of, or delete (tasks without work)
        the tasks named by `task_ids` or matching `filter` (leads), in one transaction. Tasks an action
        does not apply to are listed in `refused`, each with its reason. Nothing is done (400) when the
        request cannot be applied at all, or (409) when `expected_count` is not the number of tasks the
        filter matches now."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        form = s.BulkInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            result = manager.bulk_action(
                project=project,
                action=data["action"],
                task_ids=data.get("task_ids"),
                task_filter=manager.TaskFilter(**data["filter"]) if "filter" in data else None,
                priority=data.get("priority"),
                expected=data.get("expected_count"),
            )
        except manager.CountChanged as changed:
            return ApiResponse({"detail": str(changed)}, status=status.HTTP_409_CONFLICT)
        except manager.BulkRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(s.BulkOutput(result).data)
