"""Webhooks over the REST API, for leads: endpoints (list, create, change, delete), their secret (show,
rotate), a test ping, the delivery log and redelivery."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.models import WebhookDelivery, WebhookEndpoint
from annotation.webhooks import serializers as s
from annotation.webhooks import services as webhooks
from annotation.webhooks.access import access_delivery, access_endpoint
from tasks.access import access_project
from tasks.limits import PAGE_PARAMETERS, ApiPagination, page_of
from tasks.models import Role, User


def _refused(refused: webhooks.WebhookRefused) -> ApiResponse:
    return ApiResponse({"detail": str(refused)}, status=status.HTTP_400_BAD_REQUEST)


class ProjectWebhooks(APIView):
    @extend_schema(responses=s.EndpointOutput(many=True))
    def get(self, request: Request, slug: str) -> ApiResponse:
        """The project's webhook endpoints (leads), without their secrets."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        endpoints = WebhookEndpoint.objects.filter(project=project).select_related("project", "created_by")
        return ApiResponse(s.EndpointOutput(endpoints, many=True).data)

    @extend_schema(request=s.EndpointInput, responses={201: s.EndpointCreated})
    def post(self, request: Request, slug: str) -> ApiResponse:
        """Register an endpoint for some events; the answer carries its secret."""
        project = access_project(request.user, slug, role=Role.LEAD).project
        data = _valid(request, partial=False)
        try:
            endpoint = webhooks.create_endpoint(
                project=project, url=data["url"], events=data["events"], user=cast(User, request.user)
            )
        except webhooks.WebhookRefused as refused:
            return _refused(refused)
        return ApiResponse(s.EndpointCreated(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    @extend_schema(responses=s.EndpointOutput)
    def get(self, request: Request, endpoint_id: int) -> ApiResponse:
        """One endpoint, without its secret."""
        return ApiResponse(s.EndpointOutput(access_endpoint(request.user, endpoint_id)).data)

    @extend_schema(request=s.EndpointInput, responses=s.EndpointOutput)
    def patch(self, request: Request, endpoint_id: int) -> ApiResponse:
        """Change the URL, the events or `active` (what is left out stays)."""
        endpoint = access_endpoint(request.user, endpoint_id)
        data = _valid(request, partial=True)
        try:
            webhooks.update_endpoint(
                endpoint=endpoint,
                actor=cast(User, request.user),
                url=data.get("url"),
                events=data.get("events"),
                active=data.get("active"),
            )
        except webhooks.WebhookRefused as refused:
            return _refused(refused)
        return ApiResponse(s.EndpointOutput(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> ApiResponse:
        """Delete the endpoint and its delivery log."""
        webhooks.delete_endpoint(endpoint=access_endpoint(request.user, endpoint_id), actor=cast(User, request.user))
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class WebhookSecret(APIView):
    @extend_schema(responses=s.SecretOutput)
    def get(self, request: Request, endpoint_id: int) -> ApiResponse:
        """The endpoint's current secret."""
        return ApiResponse({"secret": access_endpoint(request.user, endpoint_id).secret}, headers=_NO_STORE)

    @extend_schema(request=None, responses=s.SecretOutput)
    def post(self, request: Request, endpoint_id: int) -> ApiResponse:
        """Replace the secret at once (every later attempt is signed with the new one) and return it."""
        endpoint = access_endpoint(request.user, endpoint_id)
        webhooks.rotate_secret(endpoint=endpoint, actor=cast(User, request.user))
        return ApiResponse({"secret": endpoint.secret}, headers=_NO_STORE)


class WebhookPing(APIView):
    @extend_schema(request=None, responses={202: s.DeliveryOutput})
    def post(self, request: Request, endpoint_id: int) -> ApiResponse:
        """Send a `ping` event to this endpoint; follow it in its deliveries."""
        try:
            delivery = webhooks.send_ping(endpoint=access_endpoint(request.user, endpoint_id))
        except webhooks.WebhookRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return ApiResponse(s.DeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveries(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(s.DeliveryOutput, "PaginatedDeliveryOutputList"))
    def get(self, request: Request, endpoint_id: int) -> ApiResponse:
        """The endpoint's deliveries, newest first, each with every attempt (`?limit=&offset=`)."""
        endpoint = access_endpoint(request.user, endpoint_id)
        pages = ApiPagination()
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(s.DeliveryOutput(page, many=True).data)


class WebhookRedeliver(APIView):
    @extend_schema(request=None, responses={202: s.DeliveryOutput})
    def post(self, request: Request, delivery_id: int) -> ApiResponse:
        """Send the delivery's event again, with the same id and body, as a new delivery."""
        try:
            again = webhooks.redeliver(delivery=access_delivery(request.user, delivery_id))
        except webhooks.WebhookRefused as refused:
            return ApiResponse({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return ApiResponse(s.DeliveryOutput(again).data, status=status.HTTP_202_ACCEPTED)


_NO_STORE = {"Cache-Control": "no-store"}


def _valid(request: Request, *, partial: bool) -> dict[str, Any]:
    checked = s.EndpointInput(data=request.data, partial=partial)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)
