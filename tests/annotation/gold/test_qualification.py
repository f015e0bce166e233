"""Qualification: the gold tasks first, under a time limit, scored; only the qualified go on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from annotation.models import Qualification
from annotation.work import queue
from tasks import services
from tasks.models import Project, User
from tests.conftest import claimable_project, make_user, submit_judgment


@pytest.fixture
def project(db: None) -> Project:
    project = claimable_project(annotators=[make_user("q-new"), make_user("q-sharp")], tasks=4, overlap=2)
    project.min_tests, project.qualification_required, project.qualification_pass_score = 0, True, 0.8
    project.save(update_fields=["min_tests", "qualification_required", "qualification_pass_score"])
    for external_id in ("t2", "t3"):
        services.mark_gold(task=project.tasks.get(external_id=external_id), preferred="A", last="B")
    return project


def test_a_new_annotator_meets_the_gold_tasks_first_and_a_pass_opens_the_queue(project: Project) -> None:
    sharp = User.objects.get(username="q-sharp")
    seen = []
    for _ in range(2):
        a = queue.claim_next_assignment(project=project, annotator=sharp)
        seen.append(a.task.external_id)
        submit_judgment(a, ranking=[["A"], ["B"]])

    production = queue.claim_next_assignment(project=project, annotator=sharp)

    assert seen == ["t2", "t3"] and production.task.external_id == "t0"
    q = Qualification.objects.get(annotator=sharp)
    assert (q.score, q.level) == (1.0, "expert")


def test_a_low_score_closes_the_queue_with_a_reason(project: Project) -> None:
    new = User.objects.get(username="q-new")
    submit_judgment(queue.claim_next_assignment(project=project, annotator=new), ranking=[["A"], ["B"]])
    submit_judgment(queue.claim_next_assignment(project=project, annotator=new), ranking=[["B"], ["A"]])

    with pytest.raises(queue.QueueEmpty, match=r"you scored 50% on this project's assessment \(it needs 80%\)"):
        queue.claim_next_assignment(project=project, annotator=new)
    assert Qualification.objects.get(annotator=new).level == "failed"


def test_the_time_limit_counts_unanswered_gold_as_missed(project: Project) -> None:
    new = User.objects.get(username="q-new")
    start = timezone.now()
    submit_judgment(queue.claim_next_assignment(project=project, annotator=new, now=start), ranking=[["A"], ["B"]])

    with pytest.raises(queue.QueueEmpty, match="you scored 50%"):
        queue.claim_next_assignment(project=project, annotator=new, now=start + dt.timedelta(minutes=36))
