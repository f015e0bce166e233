"""What each event says, sent by the state change itself (submit, review, flag, export, a gold miss):
the payloads carry ids and facts and name annotators by the exports' pseudonym, never by user name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotation.models import WebhookDelivery
from annotation.review import services as review
from annotation.webhooks import services as webhooks
from annotation.work import queue
from exporters import jobs as export_jobs
from exporters import query
from exporters import services as exports
from exporters.options import ExportOptions
from tasks import services
from tasks.models import Project, User
from tests.conftest import claimable_project, make_user, submit_judgment


@pytest.fixture
def people(db: None) -> list[User]:
    return [make_user("ev-ann-1"), make_user("ev-ann-2")]


@pytest.fixture
def scene(people: list[User]) -> Project:
    """Two annotators, overlap 2, and an endpoint that takes every event (at a public name: never sent here)."""
    project = claimable_project(annotators=people, tasks=3, overlap=2, min_tests=0)
    webhooks.create_endpoint(
        project=project, url="https://hooks.example.com/x", events=list(webhooks.EVENTS), user=None
    )
    return project


def sent(event: str) -> list[dict[str, Any]]:
    return [d.payload for d in WebhookDelivery.objects.filter(event=event).order_by("id")]


def test_judgment_submitted_and_task_completed_at_the_overlap(scene: Project, people: list[User]) -> None:
    first = queue.claim_next_assignment(project=scene, annotator=people[0])
    judgment = submit_judgment(first)
    assert sent("task.completed") == []  # one of two

    second = queue.claim_next_assignment(project=scene, annotator=people[1])
    assert second.task_id == first.task_id
    submit_judgment(second)

    (payload, _) = sent("judgment.submitted")
    assert payload["data"] == {
        "judgment_id": judgment.pk,
        "assignment_id": first.pk,
        "task": first.task.external_id,
        "annotator": query.pseudonym(people[0].pk),
        "submitted_at": judgment.submitted_at.isoformat() if judgment.submitted_at else None,
    }
    assert payload["project"] == scene.slug and payload["event"] == "judgment.submitted"
    (completed,) = sent("task.completed")
    assert completed["data"] == {"task": first.task.external_id, "submitted": 2, "overlap": 2}
    everything = json.dumps([d.payload for d in WebhookDelivery.objects.all()])
    assert "ev-ann" not in everything and judgment.rationale not in everything


def test_judgment_reviewed_says_the_verdict(scene: Project, people: list[User]) -> None:
    assignment = queue.claim_next_assignment(project=scene, annotator=people[0])
    submit_judgment(assignment)
    verdict = review.review_judgment(assignment=assignment, reviewer=people[1], verdict="accept", score=4)

    (payload,) = sent("judgment.reviewed")
    assert {k: payload["data"][k] for k in ("review_id", "verdict", "score", "assignment_id", "annotator")} == {
        "review_id": verdict.pk,
        "verdict": "accept",
        "score": 4,
        "assignment_id": assignment.pk,
        "annotator": query.pseudonym(people[0].pk),
    }


def test_task_flagged_carries_the_reason_and_note(scene: Project, people: list[User]) -> None:
    assignment = queue.claim_next_assignment(project=scene, annotator=people[0])
    flag = queue.flag_task(assignment=assignment, reason="truncated", note="B stops mid-function")

    (payload,) = sent("task.flagged")
    assert payload["data"] == {
        "flag_id": flag.pk,
        "task": assignment.task.external_id,
        "assignment_id": assignment.pk,
        "annotator": query.pseudonym(people[0].pk),
        "reason": "truncated",
        "note": "B stops mid-function",
    }


def test_export_finished_is_emitted_by_the_export_job(
    scene: Project, people: list[User], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    submit_judgment(queue.claim_next_assignment(project=scene, annotator=people[0]))  # an export of no row fails
    job = exports.start_export(project=scene, user=None, options=ExportOptions(format="raw"))

    export_jobs.run_export(job.pk)

    job.refresh_from_db()
    (payload,) = sent("export.finished")
    assert payload["data"] == {
        "export_id": job.pk,
        "status": "done",
        "format": "raw",
        "mode": "judgment",
        "rows": 1,
        "sha256": job.sha256,
        "error": "",
        "download": f"/api/v1/exports/{job.pk}/download",
    }


def test_a_failed_export_says_so(scene: Project, settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "write_dataset", lambda **_: (_ for _ in ()).throw(OSError("disk full")))
    job = exports.start_export(project=scene, user=None, options=ExportOptions(format="raw"))

    exports.run_export(job=job)

    (payload,) = sent("export.finished")
    assert (payload["data"]["status"], payload["data"]["error"]) == ("failed", "OSError: disk full")
    assert payload["data"]["download"] is None and payload["data"]["sha256"] is None


def test_annotator_flagged_once_when_gold_accuracy_falls_below_the_threshold(people: list[User], settings: Any) -> None:
    settings.GOLD_MIN_JUDGED, settings.GOLD_ACCURACY_THRESHOLD = 2, 0.7
    project = claimable_project(annotators=people, tasks=4, overlap=1, min_tests=0)
    project.gold_share = 1.0  # gold first, while there is ordinary work too (t3)
    project.save(update_fields=["gold_share"])
    for task in project.tasks.exclude(external_id="t3"):
        services.mark_gold(task=task, preferred="B", last="A")
    webhooks.create_endpoint(
        project=project, url="https://hooks.example.com/x", events=["annotator.flagged"], user=None
    )
    raised = []
    for ranking in ([["B"], ["A"]], [["A"], ["B"]], [["A"], ["B"]]):  # met, missed (1/2: low), missed (still low)
        assignment = queue.claim_next_assignment(project=project, annotator=people[0])
        submit_judgment(assignment, ranking=ranking)  # the submission itself emits
        raised.append(len(sent("annotator.flagged")))

    assert raised == [0, 1, 1]
    (payload,) = sent("annotator.flagged")
    assert payload["data"]["annotator"] == query.pseudonym(people[0].pk)
    assert (payload["data"]["reason"], payload["data"]["gold_accuracy"], payload["data"]["gold_judged"]) == (
        "low_gold",
        0.5,
        2,
    )
