"""What a project page shows of the annotation work: your own, and everyone's for reviewers and leads."""

from __future__ import annotations

from typing import Any

from annotation import activity
from annotation.models import Assignment
from tasks.access import ProjectAccess
from tasks.models import Role, User

RECENT = 50


def work_summary(access: ProjectAccess, user: User) -> dict[str, Any]:
    mine = Assignment.objects.filter(task__project=access.project, annotator=user)
    today, week = activity.today_and_week(annotator=user)
    summary: dict[str, Any] = {
        "my_submitted": mine.filter(status=Assignment.Status.SUBMITTED).count(),
        "my_returned": mine.filter(status=Assignment.Status.RETURNED).count(),
        "today_seconds": today,
        "week_seconds": week,
    }
    if access.can(Role.REVIEWER):
        submitted = Assignment.objects.filter(task__project=access.project, status=Assignment.Status.SUBMITTED)
        summary["judgment_count"] = submitted.count()
        summary["judgments"] = list(
            submitted.select_related("task", "annotator", "judgment").order_by("-submitted_at")[:RECENT]
        )
    return summary
