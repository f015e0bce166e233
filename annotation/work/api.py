"""The annotator's operations over the REST API: the same services as the workspace page."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.access import access_assignment
from annotation.models import Assignment, Judgment
from annotation.work import activity, judging, judgment_input, queue, runs
from annotation.work import serializers as s
from tasks.access import access_project
from tasks.models import Role, User


def _assignment(request: Request, assignment_id: int) -> ApiResponse:
    return _answer(access_assignment(request.user, assignment_id))


def _answer(assignment: Assignment, judgment: Judgment | None = None) -> ApiResponse:
    """The assignment as the API shows it; with the judgment the operation just wrote, not read again."""
    context = {"judgment": judgment} if judgment is not None else {}
    return ApiResponse(s.AssignmentOutput(assignment, context=context).data)


class ClaimNext(APIView):
    @extend_schema(request=None, responses={200: s.AssignmentOutput, 204: None})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Claim your next task in the project (or resume the one you have); 204 when none needs you."""
        project = access_project(request.user, slug, role=Role.ANNOTATOR).project
        try:
            assignment = queue.claim_next_assignment(project=project, annotator=request.user)  # type: ignore[arg-type]
        except queue.QueueEmpty:
            return ApiResponse(status=status.HTTP_204_NO_CONTENT)
        return _answer(assignment)  # the claim read it with its task and project


class AssignmentDetail(APIView):
    @extend_schema(responses=s.AssignmentOutput)
    def get(self, request: Request, assignment_id: int) -> ApiResponse:
        """Your assignment: the task, the responses under your letters, your draft."""
        return _assignment(request, assignment_id)


class Draft(APIView):
    @extend_schema(request=s.JudgmentInput, responses={200: s.AssignmentOutput, 409: None})
    def put(self, request: Request, assignment_id: int) -> ApiResponse:
        """Save your draft (any field may be incomplete); every change is kept as a revision. The answer's
        `revision` is what to send as base_revision next; 409 (with the newer draft) when yours is stale."""
        assignment = access_assignment(request.user, assignment_id)
        data = valid(s.JudgmentInput, request)
        try:
            judgment = judging.save_draft(
                assignment=assignment,
                data=judgment_input.from_letters(assignment, data),
                base_revision=data.get("base_revision"),
            )
        except judging.JudgmentInvalid as invalid:
            return ApiResponse({"errors": invalid.errors}, status=status.HTTP_400_BAD_REQUEST)
        except judging.DraftConflict as conflict:
            return _stale(assignment, conflict)
        answer = _answer(assignment, judgment)
        answer.data["revision"] = judging.latest_revision(judgment)
        return answer


def _stale(assignment: Assignment, conflict: judging.DraftConflict) -> ApiResponse:
    """409: the text was based on an older revision than the server's; the newer draft comes back."""
    return ApiResponse(
        {
            "detail": f"not saved: {conflict}; take the newer draft and send base_revision {conflict.revision}",
            "revision": conflict.revision,
            "draft": judgment_input.as_letters(assignment, conflict.judgment),
        },
        status=status.HTTP_409_CONFLICT,
    )


class Runs(APIView):
    @extend_schema(request=s.RunInput, responses={202: s.RunOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Run your tests against every response in the sandbox; poll the latest run for results."""
        assignment = access_assignment(request.user, assignment_id)
        data = valid(s.RunInput, request)
        try:
            run = runs.run_tests(assignment=assignment, code=data["code"], ideal_solution=data["ideal_solution"])
        except runs.CannotRun as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return ApiResponse(s.RunOutput(run, context={"assignment": assignment}).data, status=status.HTTP_202_ACCEPTED)


class LatestRun(APIView):
    @extend_schema(responses={200: s.RunOutput, 204: None})
    def get(self, request: Request, assignment_id: int) -> ApiResponse:
        """Your latest run with each response's verdict, test by test ("pending" until all are in)."""
        assignment = access_assignment(request.user, assignment_id)
        run = runs.latest_run(assignment)
        if run is None:
            return ApiResponse(status=status.HTTP_204_NO_CONTENT)
        return ApiResponse(s.RunOutput(run, context={"assignment": assignment}).data)


class Submit(APIView):
    @extend_schema(request=s.SubmitInput, responses={200: s.AssignmentOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Submit; a repeat of a submitted assignment returns it unchanged. 400 lists what to fix;
        409 when the ranking goes against your own tests and needs confirm_evidence with a note, or
        (with `revision` and the newer `draft`) when base_revision is older than the saved draft."""
        assignment = access_assignment(request.user, assignment_id)
        data = valid(s.SubmitInput, request)
        clean = judgment_input.from_letters(assignment, data)
        try:
            judgment = judging.submit_judgment(
                assignment=assignment,
                data=clean,
                base_revision=data.get("base_revision"),
                confirm_evidence=data["confirm_evidence"],
                evidence_note=data["evidence_note"],
                keep_draft=True,
            )
        except judging.JudgmentInvalid as invalid:
            return ApiResponse({"errors": invalid.errors}, status=status.HTTP_400_BAD_REQUEST)
        except judging.DraftConflict as stale:
            return _stale(assignment, stale)
        except judging.EvidenceConflict as conflict:
            show = assignment.display_label
            pairs = [[show(a), show(b)] for a, b in conflict.pairs]
            return ApiResponse(
                {"detail": "your ranking goes against your own tests: confirm with a note", "pairs": pairs},
                status=status.HTTP_409_CONFLICT,
            )
        return _answer(assignment, judgment)


class Skip(APIView):
    @extend_schema(request=s.SkipInput, responses=s.AssignmentOutput)
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Pass on this task, saying why; it is not offered to you again."""
        assignment = access_assignment(request.user, assignment_id)
        try:
            queue.skip_assignment(assignment=assignment, reason=valid(s.SkipInput, request)["reason"])
        except ValueError as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return _assignment(request, assignment_id)


class Flag(APIView):
    @extend_schema(request=s.FlagInput, responses={201: s.FlagOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Flag the task instead of judging it; your assignment ends like a skip and the lead is told."""
        assignment = access_assignment(request.user, assignment_id)
        data = valid(s.FlagInput, request)
        try:
            flagged = queue.flag_task(assignment=assignment, **data)
        except queue.FlagRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return ApiResponse(s.FlagOutput(flagged).data, status=status.HTTP_201_CREATED)


class Heartbeat(APIView):
    @extend_schema(request=s.HeartbeatInput, responses=s.HeartbeatOutput)
    def post(self, request: Request) -> ApiResponse:
        """You are working: the server credits the time since your last beat (never a client total), only
        when the beat reports events seen since the last one (keys, pointer, scroll, edits) or one of the
        assignment's test runs is still pending; a bare beat earns nothing and does not renew the lease."""
        data = valid(s.HeartbeatInput, request)
        assignment = access_assignment(request.user, data["assignment"]) if data.get("assignment") else None
        user = cast(User, request.user)  # IsAuthenticated is the default permission
        events = activity.events_seen(data)
        return ApiResponse(
            activity.beat(annotator=user, assignment=assignment, tab=data["tab"], seq=data["seq"], events=events)
        )


def valid(serializer: type[s.serializers.Serializer], request: Request) -> dict[str, Any]:
    checked = serializer(data=request.data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


class MyWork(APIView):
    @extend_schema(responses=s.MyWorkOutput(many=True))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Your own submitted and sent-back work in the project, newest first, with the latest verdict
        and feedback, and whether you may still reopen it (submitted and not yet reviewed)."""
        project = access_project(request.user, slug, role=Role.ANNOTATOR).project
        rows = queue.my_work(project=project, annotator=request.user)  # type: ignore[arg-type]
        return ApiResponse(s.MyWorkOutput([s.MyWorkRow(a, r, queue.can_reopen(a, r)) for a, r in rows], many=True).data)


class Reopen(APIView):
    @extend_schema(request=None, responses={200: s.AssignmentOutput})
    def post(self, request: Request, assignment_id: int) -> ApiResponse:
        """Reopen your submitted judgment to revise it while it is not yet reviewed: the assignment is
        active again with a fresh lease; 409 says why when it cannot be (reviewed, or another task in hand)."""
        assignment = access_assignment(request.user, assignment_id)
        try:
            queue.reopen_assignment(assignment=assignment)
        except queue.ReopenRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return _assignment(request, assignment_id)
