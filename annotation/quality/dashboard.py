"""The page a lead opens every morning: progress, judgments per day, time and cost, review backlog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotation.models import ActivityInterval, Assignment, TaskFlag
from annotation.review import services as review
from tasks.models import Project, Task

DAYS = 14


@dataclass
class Dashboard:
    tasks: int
    tasks_done: int  # judged by `overlap` annotators
    judgments_needed: int
    judgments_submitted: int
    in_progress: int
    per_day: list[tuple[dt.date, int]]
    active_seconds: int
    cost: Decimal
    review_backlog: int
    accepted: int
    rejected: int
    open_flags: int  # tasks flagged by annotators, waiting for the lead (re-release or retire)

    @property
    def percent(self) -> int:
        return int(100 * self.judgments_submitted / self.judgments_needed) if self.judgments_needed else 0


def dashboard(project: Project, *, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    submitted = Assignment.objects.filter(task__project=project, status=Assignment.Status.SUBMITTED)
    per_task = Task.objects.filter(project=project).annotate(
        done=Count("assignments", filter=Q(assignments__status=Assignment.Status.SUBMITTED))
    )
    tasks = per_task.count()
    since = today - dt.timedelta(days=DAYS - 1)
    daily = dict(
        submitted.filter(submitted_at__date__gte=since)
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    seconds = 0.0
    intervals = ActivityInterval.objects.filter(assignment__task__project=project).values_list("started_at", "ended_at")
    for started, ended in intervals.iterator():
        seconds += (ended - started).total_seconds()
    hours = Decimal(int(seconds)) / Decimal(3600)
    latest = review.latest_reviews(list(submitted))
    return Dashboard(
        tasks=tasks,
        tasks_done=per_task.filter(done__gte=project.overlap).count(),
        judgments_needed=tasks * project.overlap,
        judgments_submitted=submitted.count(),
        in_progress=Assignment.objects.filter(task__project=project, status=Assignment.Status.ACTIVE).count(),
        per_day=[(since + dt.timedelta(days=i), daily.get(since + dt.timedelta(days=i), 0)) for i in range(DAYS)],
        active_seconds=int(seconds),
        cost=(hours * project.pay_rate_per_hour).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        review_backlog=review.waiting(project).count(),
        accepted=sum(1 for r in latest.values() if r.verdict == "accept"),
        rejected=sum(1 for r in latest.values() if r.verdict == "reject"),
        open_flags=TaskFlag.objects.filter(task__project=project, resolved_at__isnull=True).count(),
    )
