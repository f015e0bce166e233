"""The annotator's queue: one ordering rule and one atomic claim.

Order: the annotator's own active assignment (resume), then work a reviewer returned to them, then
a task whose lease they let expire (their draft is still there) if it has room, then the task with the
most judgments already under way that still has room (so tasks reach their overlap and leave the
pool), oldest first. The claim locks the candidate task row (`select_for_update
(skip_locked=True)` on PostgreSQL; SQLite takes the database write lock at BEGIN) and counts its places
again under the lock, so no task is handed out beyond its overlap; a unique constraint on (task,
annotator) means nobody gets the same task twice.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.gold import qualification
from annotation.models import Assignment
from tasks.models import Project, Task, User

CANDIDATES_PER_LOCK = 20


class QueueEmpty(Exception):
    """No task of the project needs this annotator right now."""


def claim_next_assignment(*, project: Project, annotator: User, now: dt.datetime | None = None) -> Assignment:
    """The annotator's next assignment in `project`, leased to them; raises QueueEmpty."""
    now = now or timezone.now()
    expire_assignments(now=now)
    assessment = _assessment(project, annotator, now)
    for _ in range(3):  # a lost race on the unique constraint: look again
        try:
            with transaction.atomic():
                assignment = _resume(project, annotator, now) or _claim_new(project, annotator, now, assessment)
        except IntegrityError:
            continue
        if assignment is None:
            raise QueueEmpty(f"no task in {project.name} needs you right now")
        return assignment
    raise QueueEmpty("the queue is busy: try again")


def _resume(project: Project, annotator: User, now: dt.datetime) -> Assignment | None:
    mine = Assignment.objects.select_for_update(of=("self",)).filter(annotator=annotator, task__project=project)
    active = mine.filter(status=Assignment.Status.ACTIVE).order_by("created_at").first()
    if active is None:
        active = mine.filter(status=Assignment.Status.RETURNED).order_by("created_at").first()
    if active is not None:
        _lease(active, now, status=Assignment.Status.ACTIVE)
    return active


def _assessment(project: Project, annotator: User, now: dt.datetime) -> Task | None:
    """The next gold task of the annotator's assessment, if the project requires one and they have
    no work in hand. Runs outside the claim's transaction: a finished assessment's score is kept
    even when the claim then finds nothing."""
    if not project.qualification_required:
        return None
    in_hand = Assignment.objects.filter(
        task__project=project, annotator=annotator, status__in=[Assignment.Status.ACTIVE, Assignment.Status.RETURNED]
    )
    if in_hand.exists():
        return None
    try:
        return qualification.next_assessment_task(project=project, annotator=annotator, now=now)
    except qualification.NotQualified as failed:
        raise QueueEmpty(str(failed)) from None


def _claim_new(project: Project, annotator: User, now: dt.datetime, assessment: Task | None) -> Assignment | None:
    if assessment is not None:
        return _assign(assessment, annotator, now)
    lapsed = _lapsed(project, annotator)
    if lapsed is not None:  # their own lease ran out earlier: they pick up their draft again
        _lease(lapsed, now, status=Assignment.Status.ACTIVE)
        recount([lapsed.task_id])
        return lapsed
    mine = Assignment.objects.filter(task=OuterRef("pk"), annotator=annotator)
    candidates = list(
        Task.objects.filter(project=project, taken__lt=project.overlap, gold_answer__isnull=True)
        .exclude(Exists(mine))
        .order_by("-taken", "id")
        .values_list("id", flat=True)[:CANDIDATES_PER_LOCK]
    )
    gold: list[int] = []
    if candidates and project.gold_share > 0 and random.random() < project.gold_share:
        # A gold task, mixed in at the project's rate; gold tasks do not use the overlap.
        gold = list(
            Task.objects.filter(project=project, gold_answer__isnull=False)
            .exclude(Exists(mine))
            .order_by("id")
            .values_list("id", flat=True)[:CANDIDATES_PER_LOCK]
        )
    for task_id in gold + candidates:
        task = _lock_with_room(task_id, None if task_id in gold else project.overlap)
        if task is None:
            continue
        return _assign(task, annotator, now)
    return None


def _assign(task: Task, annotator: User, now: dt.datetime) -> Assignment:
    labels = list(task.responses.order_by("label").values_list("label", flat=True))
    random.shuffle(labels)  # each annotator sees the responses in an order of their own
    assignment = Assignment(task=task, annotator=annotator, response_order=labels)
    _lease(assignment, now, status=Assignment.Status.ACTIVE, create=True)
    recount([task.pk])
    return assignment


def _lapsed(project: Project, annotator: User) -> Assignment | None:
    expired = Assignment.objects.filter(
        task__project=project, annotator=annotator, status=Assignment.Status.EXPIRED, task__taken__lt=project.overlap
    ).order_by("created_at")
    for assignment in expired:
        if _lock_with_room(assignment.task_id, project.overlap) is not None:
            return assignment
    return None


def _lock_with_room(task_id: int, limit: int | None) -> Task | None:
    """Lock the task row (skipping it if another claim holds it) and count its places again against
    `limit` (the project's overlap; None for gold tasks, which have no limit)."""
    task = Task.objects.select_for_update(skip_locked=True).filter(pk=task_id).first()
    if task is None:
        return None
    if limit is None:
        return task
    taken = Assignment.objects.filter(task=task, status__in=Assignment.HOLDING).count()
    return task if taken < limit else None


def recount(task_ids: list[int]) -> None:
    """Set Task.taken from the assignments themselves, for these tasks."""
    held = (
        Assignment.objects.filter(task=OuterRef("pk"), status__in=Assignment.HOLDING)
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    Task.objects.filter(pk__in=task_ids).update(taken=Coalesce(Subquery(held), 0))


def _lease(assignment: Assignment, now: dt.datetime, *, status: str, create: bool = False) -> None:
    assignment.status = status
    assignment.lease_expires_at = now + dt.timedelta(minutes=settings.ASSIGNMENT_LEASE_MINUTES)
    if create:
        assignment.save()
    else:
        assignment.save(update_fields=["status", "lease_expires_at"])


def renew_lease(*, assignment: Assignment, now: dt.datetime | None = None) -> None:
    """Keep an active assignment leased while its annotator works on it."""
    now = now or timezone.now()
    lease = now + dt.timedelta(minutes=settings.ASSIGNMENT_LEASE_MINUTES)
    Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(lease_expires_at=lease)


def expire_assignments(*, now: dt.datetime | None = None) -> int:
    """Give the tasks of unused, expired leases back to the pool; the drafts stay with the assignment."""
    now = now or timezone.now()
    stale = Assignment.objects.filter(status=Assignment.Status.ACTIVE, lease_expires_at__lt=now)
    task_ids = list(stale.values_list("task_id", flat=True))
    if not task_ids:
        return 0
    with transaction.atomic():
        expired = stale.filter(task_id__in=task_ids).update(status=Assignment.Status.EXPIRED)
        recount(task_ids)
    return expired


@transaction.atomic
def skip_assignment(*, assignment: Assignment, reason: str) -> Assignment:
    """The annotator passes on this task (with a reason); it is not offered to them again."""
    reason = reason.strip()
    if not reason:
        raise ValueError("say why you skip this task")
    updated = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(
        status=Assignment.Status.SKIPPED, skip_reason=reason[:2000], lease_expires_at=None
    )
    if not updated:
        raise ValueError("this assignment is no longer active")
    recount([assignment.task_id])
    assignment.refresh_from_db()
    return assignment


def return_assignment(*, assignment: Assignment) -> Assignment:
    """Send submitted work back to its annotator; it comes first in their queue."""
    updated = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.SUBMITTED).update(
        status=Assignment.Status.RETURNED, lease_expires_at=None
    )
    if not updated:
        raise ValueError("only submitted work can be sent back")
    assignment.refresh_from_db()
    return assignment
