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

from annotation.models import Assignment
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


def gold_scores(project: Project) -> dict[int, GoldScore]:
    """Per annotator id: gold tasks judged and met."""
    scores: dict[int, GoldScore] = {}
    rows = Assignment.objects.filter(
        task__project=project,
        task__gold_answer__isnull=False,
        status=Assignment.Status.SUBMITTED,
        judgment__isnull=False,
    ).values_list("annotator_id", "task__gold_answer", "judgment__ranking", "judgment__all_unacceptable")
    for annotator_id, gold, ranking, unacceptable in rows:
        score = scores.setdefault(annotator_id, GoldScore(0, 0))
        score.judged += 1
        score.met += meets(gold or {}, ranking, unacceptable)
    return scores
