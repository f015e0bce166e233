"""Guard rails on every request (issue 11): how big a body may be, how often a route may be called, how
many rows a page of the API holds. Limits are looked up by route name in the settings (LARGE_BODY_ROUTES,
RATE_LIMITS, API_MAX_PAGE_SIZE), so a view does not have to remember them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class BodyLimitMiddleware:
    """Refuses a body over its route's limit (413) before anything reads it. It must come before
    CsrfViewMiddleware, whose check reads a POST body (and writes an upload to a temporary file)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        return body_too_large(request, request.resolver_match.url_name if request.resolver_match else None)


class PageThrottleMiddleware:
    """Throttles the pages named in RATE_LIMITS (the page heartbeat) with 429 and Retry-After. API views
    are left to REST framework, which throttles them with the same rates once it knows the token's user.
    It comes after CsrfViewMiddleware, so a forged request is refused as such and counts for nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if hasattr(view_func, "cls"):  # a REST framework view
            return None
        return page_throttled(request)


def body_limit(request: HttpRequest, route: str | None) -> tuple[int, str]:
    """The most bytes this request's body may have, and the setting that says so. Only the import routes
    take more, and only from a caller who may be a lead: a logged-in user, or a token (REST framework
    checks the token before it reads a byte of the body)."""
    # The route first: only there is the user worth reading (every other request, /ping included, would
    # read the session and the user row for nothing).
    if route in settings.LARGE_BODY_ROUTES and ("HTTP_AUTHORIZATION" in request.META or request.user.is_authenticated):
        return settings.IMPORT_MAX_FILE_BYTES, "IMPORT_MAX_FILE_BYTES"
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "DATA_UPLOAD_MAX_MEMORY_SIZE"


def body_too_large(request: HttpRequest, route: str | None) -> HttpResponse | None:
    """A 413 when the declared Content-Length is over the limit. Django never reads past Content-Length
    (and reads nothing of a body without one), so checking the header is checking the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit, setting = body_limit(request, route)
    if length <= limit:
        return None
    hint = "split the file into smaller ones" if setting == "IMPORT_MAX_FILE_BYTES" else "send less at once"
    message = f"The request body is {length:,} bytes, over the {limit:,} bytes ({setting}) accepted here: {hint}."
    return refusal(request, message, status=413)


def refusal(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """JSON for the API (as REST framework words its errors), plain text for pages."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RouteRateThrottle(SimpleRateThrottle):
    """A rate per route name (settings.RATE_LIMITS, e.g. "api-auth-token": "10/min"), counted per user, or
    per address for an anonymous caller; routes not named there are not throttled. The rates are read on
    every request, not once at import, so a test or a settings change takes effect at once."""

    def __init__(self) -> None:  # SimpleRateThrottle reads a fixed scope here; ours depends on the request
        self.scope: str | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        match = getattr(request, "resolver_match", None)
        self.scope = match.url_name if match else None
        self.rate = settings.RATE_LIMITS.get(self.scope) if self.scope else None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def page_throttled(request: HttpRequest) -> HttpResponse | None:
    """A 429 with Retry-After for a page over its route's rate (the page heartbeat)."""
    throttle = RouteRateThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = math.ceil(throttle.wait() or 1)
    answer = refusal(request, f"Too many requests: try again in {wait} seconds.", status=429)
    answer["Retry-After"] = str(wait)
    return answer


class ApiPagination(LimitOffsetPagination):
    """`?limit=&offset=` pages of at most API_MAX_PAGE_SIZE rows. A larger limit gets that many rows, as
    REST framework caps it, and `next` links the rest."""

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)

    @property
    def default_limit(self) -> int:  # type: ignore[override]
        return min(int(api_settings.PAGE_SIZE or self.max_limit), self.max_limit)


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="Rows per page (at most API_MAX_PAGE_SIZE)."),
    OpenApiParameter("offset", int, description="Rows to skip."),
]


def page_of(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of an ApiPagination page of `serializer` rows, for a view that pages by hand."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )
