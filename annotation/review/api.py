"""Reviewers and leads over the REST API: the review queue and a verdict on a judgment."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.access import access_for_review
from annotation.review import serializers as s
from annotation.review import services as review
from annotation.work.api import valid
from tasks.access import access_project
from tasks.models import Role, User


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
