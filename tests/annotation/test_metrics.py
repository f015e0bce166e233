"""/metrics: the Prometheus text format with the series the README lists, read by a token holder or
from this machine only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from annotation.models import ActivityInterval, TestResult, TestRun
from annotation.work import runs
from exporters.models import ExportJob
from sandbox.models import Execution
from tests.conftest import claimable_project, make_user


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.django_db
def test_it_shows_runs_queue_annotators_exports_and_request_latency(client: Client) -> None:
    annotator = make_user("metrics-annotator")
    project = claimable_project(annotators=[annotator])
    from annotation.work import queue

    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    test_run = TestRun.objects.create(
        assignment=assignment, test_case=assignment.test_cases.create(code="def test_x(): pass")
    )
    outcomes = [("passed", 800), ("failed", 3000)]
    for response, (status, ms) in zip(assignment.task.responses.order_by("label"), outcomes, strict=True):
        execution = Execution.objects.create(language="python", solution="", tests="", state=Execution.State.DONE)
        result = TestResult.objects.create(test_run=test_run, response=response, execution=execution)
        runs.record_test_result(
            test_result_id=result.pk, result={"status": status, "duration_ms": ms, "trust": "isolated", "tests": []}
        )
    queued = Execution.objects.create(language="python", solution="", tests="")
    Execution.objects.filter(pk=queued.pk).update(created_at=timezone.now() - dt.timedelta(seconds=90))
    ActivityInterval.objects.create(annotator=annotator, started_at=timezone.now(), ended_at=timezone.now())
    job = ExportJob.objects.create(project=project, format="dpo", cutoff=timezone.now(), status="done", row_count=42)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=job.created_at + dt.timedelta(seconds=3))
    client.get("/ping")

    answer = client.get("/metrics")
    got = samples(answer.content.decode())

    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain; version=0.0.4")

    def series(name: str, status: str, **more: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        labels = {"language": "python", "status": status, "trust": "isolated", **more}
        return name, tuple(sorted(labels.items()))

    assert got[series("sandbox_runs_total", "passed")] == 1
    assert got[series("sandbox_runs_total", "failed")] == 1
    assert got[series("sandbox_run_duration_seconds_bucket", "passed", le="1.0")] == 1
    assert got[series("sandbox_run_duration_seconds_bucket", "failed", le="1.0")] == 0
    assert got[series("sandbox_run_duration_seconds_bucket", "failed", le="5.0")] == 1
    assert got[series("sandbox_run_duration_seconds_sum", "failed")] == 3.0
    assert got["sandbox_queue_depth", ()] == 1 and got["sandbox_queue_oldest_age_seconds", ()] >= 90
    assert got["active_annotators", ()] == 1
    assert got["export_rows_total", (("format", "dpo"), ("status", "done"))] == 42
    assert got["export_duration_seconds_bucket", (("format", "dpo"), ("le", "5.0"), ("status", "done"))] == 1
    assert got["export_duration_seconds_bucket", (("format", "dpo"), ("le", "1.0"), ("status", "done"))] == 0
    ping = (("method", "GET"), ("status", "200"), ("view", "ping"))
    assert got["http_request_duration_seconds_count", ping] >= 1


@pytest.mark.django_db
def test_only_this_machine_or_the_token_holder_reads_it(client: Client, settings: object) -> None:
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"  # type: ignore[attr-defined]

    assert client.get("/metrics").status_code == 403  # with a token set, even this machine needs it
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and b"sandbox_queue_depth" in ok.content
