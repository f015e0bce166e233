"""Reviewers and leads over the REST API: the review queue and a verdict on a judgment."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.access import access_for_review
from annotation.models import Judgment
from annotation.review import serializers as s
from annotation.review import services as review
from annotation.work import judging, queue
from annotation.work.api import valid
from tasks.access import access_project
from tasks.models import Role, Task, User


class ReviewQueue(APIView):
    @extend_schema(responses=s.ReviewQueueItem(many=True))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Submitted judgments waiting for your verdict, lowest confidence first (reviewers, leads)."""
        project = access_project(request.user, slug, role=Role.REVIEWER).project
        items = review.review_queue(project=project, reviewer=cast(User, request.user))
        return ApiResponse(s.ReviewQueueItem(items, many=True).data)


class ReviewVerdict(APIView):
    @extend_schema(request=s.ReviewInput, responses={201: s.ReviewOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Accept, reject or send back (with feedback) a submitted judgment; optionally score it 1-5."""
        assignment = access_for_review(request.user, assignment_id)
        data = valid(s.ReviewInput, request)
        try:
            verdict = review.review_judgment(
                assignment=assignment,
                reviewer=cast(User, request.user),
                verdict=data["verdict"],
                feedback=data["feedback"],
                score=data.get("score"),
            )
        except review.ReviewRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return ApiResponse(s.ReviewOutput(verdict).data, status=status.HTTP_201_CREATED)


class LineComments(APIView):
    @extend_schema(responses=s.LineCommentOutput(many=True))
    def get(self, request: Request, assignment_id: int) -> ApiResponse:
        """The judgment's line comments, in the annotator's letter order, each with its reply thread
        (reviewers and leads of the project)."""
        assignment = access_for_review(request.user, assignment_id)
        threads = review.comment_threads(assignment, Judgment.objects.filter(assignment=assignment).first())
        comments = [c for label in assignment.response_order for c in threads.get(label, [])]
        return ApiResponse(s.LineCommentOutput(comments, many=True).data)

    @extend_schema(request=s.ReplyInput, responses={201: s.ReplyOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Reply in the thread of one line comment; the annotator sees it under their comment."""
        assignment = access_for_review(request.user, assignment_id)
        data = valid(s.ReplyInput, request)
        judgment = Judgment.objects.filter(assignment=assignment).first()
        try:
            if judgment is None:
                raise judging.ReplyRefused("this work has no judgment to reply to")
            answer = judging.reply_to_comment(judgment=judgment, author=cast(User, request.user), **data)
        except judging.ReplyRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(s.ReplyOutput(answer).data, status=status.HTTP_201_CREATED)


class Flags(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("state", enum=["open", "resolved", "all"], description="default open")],
        responses=s.TaskFlagOutput(many=True),
    )
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's task flags, oldest first (leads): open ones by default, as on the Flags page."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        checked = s.FlagsQuery(data=request.query_params)
        checked.is_valid(raise_exception=True)
        return ApiResponse(s.TaskFlagOutput(queue.flags_of(project, checked.validated_data["state"]), many=True).data)

    @extend_schema(request=s.FlagResolveInput, responses={200: s.TaskFlagOutput(many=True)})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Act on a flagged task as the Flags page does: release it to the queue again or retire it.
        Answers with the flags this resolved."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        data = valid(s.FlagResolveInput, request)
        task = Task.objects.filter(project=project, external_id=data["task"]).first()
        if task is None:
            return ApiResponse({"task": ["not a task of this project"]}, status=status.HTTP_400_BAD_REQUEST)
        opened = list(queue.open_flags(project).filter(task=task).values_list("pk", flat=True))
        (queue.release_task if data["action"] == "release" else queue.retire_task)(task=task)
        resolved = queue.flags_of(project, "all").filter(pk__in=opened)
        return ApiResponse(s.TaskFlagOutput(resolved, many=True).data)
