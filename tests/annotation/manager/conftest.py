"""A project whose tasks are put in each status through the services: claimed, submitted, reviewed,
flagged, marked gold, retired."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from annotation.models import Assignment
from annotation.review import services as review
from annotation.work import queue
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, Task, User
from tests.conftest import make_user, submit_judgment, task_line

MARKUP = '<script>alert("x")</script>'


@pytest.fixture
def annotator3(db: None) -> User:
    return make_user("cid-annotator")


@pytest.fixture
def tm(lead: User, reviewer: User, annotator: User, annotator2: User, annotator3: User) -> Project:
    return manager_project(lead=lead, reviewer=reviewer, annotators=[annotator, annotator2, annotator3])


def manager_project(*, lead: User, reviewer: User, annotators: list[User]) -> Project:
    """An empty ranking project "tm" with overlap 2, its lead, a reviewer and the annotators."""
    project = services.create_project(
        slug="tm",
        name="Task manager",
        lead=lead,
        overlap=2,
        ranking_mode=RankingMode.RANKING,
        min_tests=0,
        min_rationale_chars=20,
    )
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    for user in annotators:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    return project


def add_tasks(project: Project, *lines: dict[str, Any]) -> list[Task]:
    """Import these task lines (tests.conftest.task_line) and return the tasks in the same order."""
    import_tasks(project=project, lines=[json.dumps(line) for line in lines])
    ids = [line["id"] for line in lines]
    by_id = {t.external_id: t for t in Task.objects.filter(project=project, external_id__in=ids)}
    return [by_id[i] for i in ids]


def claim(task: Task, annotator: User) -> Assignment:
    """The real claim, steered to `task`: it is given the highest priority for the claim, then its own back."""
    before = Task.objects.get(pk=task.pk).priority
    Task.objects.filter(pk=task.pk).update(priority=32767)
    try:
        assignment = queue.claim_next_assignment(project=task.project, annotator=annotator)
    finally:
        Task.objects.filter(pk=task.pk).update(priority=before)
    assert assignment.task_id == task.pk, f"claimed {assignment.task.external_id}, wanted {task.external_id}"
    return assignment


def judge(
    task: Task, annotator: User, first: str, *, reviewer: User | None = None, verdict: str = "accept"
) -> Assignment:
    """`annotator` claims and submits a judgment with the response labelled `first` (stored label) alone
    first; with a reviewer, the verdict on it."""
    assignment = claim(task, annotator)
    labels = sorted(assignment.response_order)
    submit_judgment(assignment, ranking=[[first], [x for x in labels if x != first]])
    if reviewer is not None:
        review.review_judgment(
            assignment=assignment, reviewer=reviewer, verdict=verdict, feedback="Look at the empty list again."
        )
    return assignment


def flag(task: Task, annotator: User) -> None:
    queue.flag_task(assignment=claim(task, annotator), reason="underspecified")


STATUS_OF = {
    "s-open": "open",
    "s-progress": "in_progress",
    "s-complete": "complete",
    "s-flagged": "flagged",
    "s-gold": "gold",
    "s-retired": "retired",
    "s-open2": "open",
}


@pytest.fixture
def statuses(tm: Project, lead: User, annotator: User, annotator2: User, annotator3: User) -> dict[str, Task]:
    """One task in each status (by id, see STATUS_OF), and a second open one."""
    named = {t.external_id: t for t in add_tasks(tm, *(task_line(i) for i in STATUS_OF))}
    flag(named["s-flagged"], annotator)
    judge(named["s-complete"], annotator, "A")
    judge(named["s-complete"], annotator2, "A")
    claim(named["s-progress"], annotator3)
    services.mark_gold(task=named["s-gold"], preferred="A")
    queue.retire_task(task=named["s-retired"])
    return named


def token_header(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
