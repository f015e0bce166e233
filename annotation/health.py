"""Is the platform up: liveness (`ping`) and readiness (`healthz`: the database, the broker, the static files)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from annotation.celery import check_broker


@never_cache
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (no database, no broker); also the load benchmark's baseline."""
    return HttpResponse("pong", content_type="text/plain")


STATIC_SENTINEL = "js/workspace.js"  # a file every page of the work needs


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the static files answer, 503 naming the failing part."""
    checks = {"database": _database(), "broker": _broker(), "static": _static()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503)


def _database() -> str:
    """The database answers and holds the platform's tables. A SQLite file that was deleted would be
    created again, empty, by the first query: its absence is checked first."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not name.startswith(("file:", ":memory:")) and not Path(name).exists():
        return f"error: the database file {name} is missing (make run creates it; or run manage.py migrate)"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if "tasks_project" not in connection.introspection.table_names():
            return "error: the database has no tables: run manage.py migrate"
    except Exception as exc:
        return f"error: {exc}"
    return "ok"


def _broker() -> str:
    try:
        check_broker()
    except Exception as exc:
        return f"error: {exc}"
    return "ok"


def _static() -> str:
    """The pages' scripts and styles can be served: found in the apps (DEBUG) or collected with their
    manifest (production, where a missing one makes every page answer 500)."""
    if settings.DEBUG or not hasattr(staticfiles_storage, "stored_name"):  # served from the apps' folders
        return "ok" if finders.find(STATIC_SENTINEL) else f"error: {STATIC_SENTINEL} is not among the static files"
    try:
        stored = staticfiles_storage.stored_name(STATIC_SENTINEL)
    except ValueError as exc:
        return f"error: {exc} (run manage.py collectstatic)"
    if not staticfiles_storage.exists(stored):
        return f"error: {stored} is missing from STATIC_ROOT (run manage.py collectstatic)"
    return "ok"
