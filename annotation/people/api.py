"""Members and invitations over the REST API, for a project's leads (and staff), with the pages' rules:
a non-member gets 404, a member below lead 403."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.people import serializers as s
from annotation.people import services as people
from tasks.access import access_project
from tasks.limits import PAGE_PARAMETERS, ApiPagination, page_of
from tasks.models import Invite, Project, Role, User


def _lead(request: Request, slug: str) -> Project:
    return access_project(request.user, slug, role=Role.LEAD).project


def _valid(serializer: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    checked = serializer(data=request.data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


def _refused(refused: people.PeopleRefused, code: int = status.HTTP_400_BAD_REQUEST) -> ApiResponse:
    return ApiResponse({"detail": str(refused)}, status=code)


class ProjectMembers(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(s.MemberOutput, "PaginatedMemberOutputList"))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's members with their role, when they joined and their last activity there."""
        pages = ApiPagination()
        rows: Any = people.members(_lead(request, slug))  # a list: paginate_queryset slices any sequence
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(s.MemberOutput(page, many=True).data)

    @extend_schema(request=s.MemberInput, responses={201: s.MemberOutput})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Site staff: add an existing account by username with a role. A lead gets 403: leads invite."""
        project = _lead(request, slug)
        data = _valid(s.MemberInput, request)
        try:
            people.add_member(project=project, actor=cast(User, request.user), **data)
        except people.PeopleForbidden as refused:
            return _refused(refused, status.HTTP_403_FORBIDDEN)
        except people.PeopleRefused as refused:
            return _refused(refused)
        return ApiResponse(s.MemberOutput(_member(project, data["username"])).data, status=status.HTTP_201_CREATED)


class ProjectMember(APIView):
    @extend_schema(request=s.RoleInput, responses=s.MemberOutput)
    def patch(self, request: Request, slug: str, username: str) -> ApiResponse:
        """Change a member's role; the project's last lead cannot be demoted (409)."""
        project = _lead(request, slug)
        member = people.member_of(project, username).user
        data = _valid(s.RoleInput, request)
        try:
            people.change_role(project=project, member=member, role=data["role"], actor=cast(User, request.user))
        except people.PeopleRefused as refused:
            return _refused(refused, status.HTTP_409_CONFLICT)
        return ApiResponse(s.MemberOutput(_member(project, username)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, username: str) -> ApiResponse:
        """Remove a member: their submitted work stays, their open work goes back to the queue at once;
        the project's last lead cannot be removed (409)."""
        project = _lead(request, slug)
        member = people.member_of(project, username).user
        try:
            people.remove_member(project=project, member=member, actor=cast(User, request.user))
        except people.PeopleRefused as refused:
            return _refused(refused, status.HTTP_409_CONFLICT)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class ProjectInvites(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(s.InviteOutput, "PaginatedInviteOutputList"))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """Every invitation of the project, newest first, with its state (without tokens)."""
        rows = Invite.objects.filter(project=_lead(request, slug)).select_related("project", "created_by")
        pages = ApiPagination()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(s.InviteOutput(page, many=True).data)

    @extend_schema(request=s.InviteInput, responses={201: s.InviteCreated})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """With `emails`: mail each address an invitation (all or nothing). Without: a shareable link,
        returned once in `url`."""
        project = _lead(request, slug)
        data = _valid(s.InviteInput, request)
        actor = cast(User, request.user)
        body: dict[str, Any]
        try:
            if data.get("emails"):
                sent = people.invite_by_email(
                    project=project,
                    emails=data["emails"],
                    role=data["role"],
                    days=data["days"],
                    actor=actor,
                    base_url=request.build_absolute_uri("/"),
                )
                body = {"invites": [i.invite for i in sent.issued], "url": None, "failed": sent.failed}
            else:
                issued = people.invite_by_link(
                    project=project, role=data["role"], days=data["days"], max_uses=data.get("max_uses"), actor=actor
                )
                url = people.accept_url(request.build_absolute_uri("/"), issued.token)
                body = {"invites": [issued.invite], "url": url, "failed": []}
        except people.PeopleRefused as refused:
            return _refused(refused)
        return ApiResponse(s.InviteCreated(body).data, status=status.HTTP_201_CREATED, headers=_NO_STORE)


class ProjectInvite(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, invite_id: int) -> ApiResponse:
        """Revoke the invitation: its link stops working at once (revoking again changes nothing)."""
        project = _lead(request, slug)
        people.revoke_invite(invite=people.invite_of(project, invite_id), actor=cast(User, request.user))
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


_NO_STORE = {"Cache-Control": "no-store"}


def _member(project: Project, username: str) -> people.Member:
    return people.members(project, username=username)[0]
