"""Gold tasks: known answers hidden among the work, and each annotator's accuracy on them.

A gold task says which response must come first (`preferred`) and/or which known-broken one must come
last (`last`). A judgment meets it when the preferred response is in its first rank group and the
broken one in its last (and the ranking is not one big tie). Gold tasks do not use the project's
overlap: every annotator may meet each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from annotation.models import Assignment, Judgment
from annotation.webhooks import services as webhooks
from tasks.models import Project


def meets(gold: dict[str, Any], ranking: list[list[str]], all_unacceptable: bool) -> bool:
    if all_unacceptable or len(ranking) < 2:
        return False
    ok = True
    if "preferred" in gold:
        ok &= gold["preferred"] in ranking[0]
    if "last" in gold:
        ok &= gold["last"] in ranking[-1]
    return bool(ok)


@dataclass
class GoldScore:
    judged: int
    met: int

    @property
    def accuracy(self) -> float | None:
        return self.met / self.judged if self.judged else None

    @property
    def low(self) -> bool:
        accuracy = self.accuracy
        return (
            self.judged >= settings.GOLD_MIN_JUDGED
            and accuracy is not None
            and accuracy < settings.GOLD_ACCURACY_THRESHOLD
        )


def gold_scores(project: Project, *, annotator_id: int | None = None) -> dict[int, GoldScore]:
    """Per annotator id (or for that one annotator): gold tasks judged and met."""
    scores: dict[int, GoldScore] = {}
    judged = Assignment.objects.filter(
        task__project=project,
        task__gold_answer__isnull=False,
        status=Assignment.Status.SUBMITTED,
        judgment__isnull=False,
    )
    if annotator_id is not None:
        judged = judged.filter(annotator_id=annotator_id)
    rows = judged.values_list("annotator_id", "task__gold_answer", "judgment__ranking", "judgment__all_unacceptable")
    for user_id, gold, ranking, unacceptable in rows:
        score = scores.setdefault(user_id, GoldScore(0, 0))
        score.judged += 1
        score.met += meets(gold or {}, ranking, unacceptable)
    return scores


def flag_if_newly_low(*, assignment: Assignment) -> bool:
    """Emit annotator.flagged when this submitted gold judgment is the one that brings its annotator's
    gold accuracy below GOLD_ACCURACY_THRESHOLD (once GOLD_MIN_JUDGED are judged); call it inside the
    submission, after the assignment is submitted. Returns whether it emitted."""
    task = assignment.task
    if task.gold_answer is None:  # most submissions: no query at all
        return False
    judgment = Judgment.objects.filter(assignment=assignment).first()
    if judgment is None:
        return False
    now = gold_scores(task.project, annotator_id=assignment.annotator_id).get(assignment.annotator_id)
    if now is None:
        return False
    met = meets(task.gold_answer, judgment.ranking, judgment.all_unacceptable)
    before = GoldScore(now.judged - 1, now.met - int(met))
    if not now.low or before.low:
        return False
    facts = {
        "assignment_id": assignment.pk,
        "task": task.external_id,
        "gold_accuracy": now.accuracy,
        "gold_judged": now.judged,
        "threshold": settings.GOLD_ACCURACY_THRESHOLD,
    }
    webhooks.annotator_flagged(
        project=task.project, annotator_id=assignment.annotator_id, reason="low_gold", facts=facts
    )
    return True
