"""Qualification: on a project that requires it, a new annotator first answers its gold tasks within
`qualification_minutes`. Unanswered gold tasks at the deadline count as missed. The score (gold tasks
met / gold tasks) sets the level: expert from 0.95, qualified from the project's pass score, failed
below it. Only qualified annotators (and experts) get production tasks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from annotation.gold import scores as gold
from annotation.models import Assignment, Qualification
from tasks.models import Project, Task, User

EXPERT = 0.95


class NotQualified(Exception):
    """The annotator failed the assessment; the message says so."""


def next_assessment_task(*, project: Project, annotator: User, now: dt.datetime) -> Task | None:
    """The next gold task of an assessment under way (starting it if needed); None once qualified.
    Raises NotQualified when the assessment is over and failed."""
    q, _ = Qualification.objects.get_or_create(
        project=project,
        annotator=annotator,
        defaults={"started_at": now, "deadline": now + dt.timedelta(minutes=project.qualification_minutes)},
    )
    if q.level == Qualification.Level.PENDING:
        remaining = _remaining_gold(project, annotator)
        if now <= q.deadline and remaining:
            return remaining[0]
        finish(q, now=now)
    if q.level == Qualification.Level.FAILED:
        raise NotQualified(
            f"you scored {q.score:.0%} on this project's assessment (it needs {project.qualification_pass_score:.0%}): "
            "ask a lead for another try"
        )
    return None


def finish(q: Qualification, *, now: dt.datetime) -> Qualification:
    """Score the assessment: every gold task counts, answered or not."""
    total = Task.objects.filter(project=q.project, gold_answer__isnull=False).count()
    met = gold.gold_scores(q.project).get(q.annotator_id, gold.GoldScore(0, 0)).met
    q.score = met / total if total else 1.0
    q.level = (
        Qualification.Level.EXPERT
        if q.score >= EXPERT
        else Qualification.Level.QUALIFIED
        if q.score >= q.project.qualification_pass_score
        else Qualification.Level.FAILED
    )
    q.finished_at = now
    q.save(update_fields=["score", "level", "finished_at"])
    return q


def _remaining_gold(project: Project, annotator: User) -> list[Task]:
    mine = Assignment.objects.filter(task=OuterRef("pk"), annotator=annotator)
    return list(
        Task.objects.filter(project=project, gold_answer__isnull=False).exclude(Exists(mine)).order_by("id")[:1]
    )
