"""What a project page shows of the annotation work: your own, and everyone's for reviewers and leads."""

from __future__ import annotations

from typing import Any

from annotation import rankings
from annotation.models import Assignment
from annotation.work import activity
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
        recent = list(
            submitted.select_related("task", "annotator", "judgment")
            .prefetch_related("task__responses")
            .order_by("-submitted_at")[:RECENT]
        )
        summary["judgments"] = [(assignment, _ranking_text(assignment)) for assignment in recent]
    return summary


def _ranking_text(assignment: Assignment) -> str:
    """The ranking with model names (reviewers and leads are not blind): "m2 > m1 = m3"."""
    models = {r.label: r.model_name for r in assignment.task.responses.all()}
    judgment = getattr(assignment, "judgment", None)
    return rankings.describe(judgment.ranking if judgment is not None else [], models)
