"""`/metrics` in the Prometheus text format (prometheus-client).

Two kinds of series:
- measured in the process: request latency by view (a histogram; the middleware below). Under
  several processes (gunicorn's workers, `make run`) set PROMETHEUS_MULTIPROC_DIR to a folder they
  share, as `make run` does, and every process's requests are counted;
- read from the database at each scrape, so they hold for every worker on every machine: sandbox
  runs by language, status and trust with their durations, the queue of runs waiting for a sandbox
  (depth, age of the oldest), annotators active in the last five minutes, and exports by format and
  status with their rows and durations.

Who may read it: with METRICS_TOKEN set, a request with `Authorization: Bearer <token>`; without it,
only requests from this machine (loopback) — a scraper elsewhere needs the token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import REGISTRY, Collector

from annotation.models import ActivityInterval, TestResult
from annotation.ops import logs
from exporters.models import ExportJob
from sandbox.models import Execution

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RUN_BUCKETS_MS = (100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
EXPORT_BUCKETS_S = (1, 5, 15, 60, 300, 900, 3600)
ACTIVE_WINDOW = dt.timedelta(minutes=5)
LOOPBACK = {"127.0.0.1", "::1"}


class RequestMetrics:
    """Middleware: each request's duration under its URL name (never the raw path: ids would make a
    series per task)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = logs.request_id(request.headers.get("X-Request-ID"))
        request.request_id = rid  # type: ignore[attr-defined]
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        view = (match.view_name or "unnamed") if match else "unmatched"
        REQUEST_LATENCY.labels(view, request.method or "", str(response.status_code)).observe(seconds)
        response["X-Request-ID"] = rid
        logs.log_request(
            rid=rid,
            method=request.method or "",
            view=view,
            path=request.path,
            status=response.status_code,
            seconds=seconds,
            user_id=_user_id(request),
        )
        return response


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id when the request already read it (a log line costs no session read)."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None
    return user.pk if user is not None and user.is_authenticated else None


class DatabaseCollector(Collector):
    """The series read from the database at each scrape (a few aggregate queries)."""

    def collect(self) -> Iterator[Any]:
        yield from _runs()
        yield from _queue()
        yield _active_annotators()
        yield from _exports()


def _runs() -> Iterator[Any]:
    finished = TestResult.objects.exclude(status__in=TestResult.PENDING).exclude(execution__isnull=True)
    buckets = {f"le_{ms}": Count("id", filter=Q(duration_ms__lte=ms)) for ms in RUN_BUCKETS_MS}
    rows = finished.values("execution__language", "status", "trust").annotate(
        n=Count("id"), total_ms=Sum("duration_ms"), **buckets
    )
    count = CounterMetricFamily(
        "sandbox_runs",
        "Finished sandbox runs (a test file against one response).",
        labels=["language", "status", "trust"],
    )
    durations = HistogramMetricFamily(
        "sandbox_run_duration_seconds", "How long finished sandbox runs took.", labels=["language", "status", "trust"]
    )
    for row in rows.order_by("execution__language", "status", "trust"):
        labels = [row["execution__language"], row["status"], row["trust"] or ""]
        count.add_metric(labels, row["n"])
        cumulative = [(str(ms / 1000), row[f"le_{ms}"]) for ms in RUN_BUCKETS_MS] + [("+Inf", row["n"])]
        durations.add_metric(labels, cumulative, sum_value=(row["total_ms"] or 0) / 1000)
    yield count
    yield durations


def _queue() -> Iterator[Any]:
    waiting = Execution.objects.filter(state=Execution.State.QUEUED).aggregate(n=Count("id"), oldest=Min("created_at"))
    depth = GaugeMetricFamily("sandbox_queue_depth", "Sandbox runs waiting for a sandbox.")
    depth.add_metric([], waiting["n"])
    age = GaugeMetricFamily("sandbox_queue_oldest_age_seconds", "How long the oldest waiting run has waited (0: none).")
    age.add_metric([], (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0)
    running = GaugeMetricFamily("sandbox_running", "Sandbox runs running now.")
    running.add_metric([], Execution.objects.filter(state=Execution.State.RUNNING).count())
    yield depth
    yield age
    yield running


def _active_annotators() -> Any:
    since = timezone.now() - ACTIVE_WINDOW
    active = GaugeMetricFamily("active_annotators", "Annotators with active time in the last five minutes.")
    active.add_metric([], ActivityInterval.objects.filter(ended_at__gte=since).values("annotator").distinct().count())
    return active


def _exports() -> Iterator[Any]:
    buckets = {f"le_{s}": Count("id", filter=Q(finished_at__lte=_plus("created_at", s))) for s in EXPORT_BUCKETS_S}
    rows = (
        ExportJob.objects.filter(finished_at__isnull=False)
        .values("format", "status")
        .annotate(n=Count("id"), rows=Sum("row_count"), last=Max("finished_at"), **buckets)
        .order_by("format", "status")
    )
    count = CounterMetricFamily("exports", "Finished exports.", labels=["format", "status"])
    written = CounterMetricFamily("export_rows", "Rows written by finished exports.", labels=["format", "status"])
    durations = HistogramMetricFamily(
        "export_duration_seconds", "From an export's request to its end.", labels=["format", "status"]
    )
    for row in rows:
        labels = [row["format"], row["status"]]
        count.add_metric(labels, row["n"])
        written.add_metric(labels, row["rows"] or 0)
        cumulative = [(str(float(s)), row[f"le_{s}"]) for s in EXPORT_BUCKETS_S] + [("+Inf", row["n"])]
        durations.add_metric(labels, cumulative, sum_value=_total_seconds(row["format"], row["status"]))
    yield count
    yield written
    yield durations


def _plus(field: str, seconds: int) -> Any:
    from django.db.models import DateTimeField, ExpressionWrapper, F

    return ExpressionWrapper(F(field) + dt.timedelta(seconds=seconds), output_field=DateTimeField())


def _total_seconds(format: str, status: str) -> float:
    jobs = ExportJob.objects.filter(finished_at__isnull=False, format=format, status=status)
    return sum(((f - c).total_seconds() for c, f in jobs.values_list("created_at", "finished_at") if f), 0.0)


def registry() -> CollectorRegistry:
    """The process's (or, with PROMETHEUS_MULTIPROC_DIR, every process's) series and the database's."""
    combined = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(combined)
    else:
        combined.register(_ProcessOnly())
    combined.register(DatabaseCollector())
    return combined


class _ProcessOnly(Collector):
    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in LOOPBACK


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse(
            "metrics: send Authorization: Bearer <METRICS_TOKEN>, or scrape from this machine\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(
        generate_latest(registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4
    )  # what every Prometheus reads
