"""A project's quality figures from its submitted judgments: agreement and the model comparison."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from statistics import mean
from typing import Any

from annotation import rankings
from annotation.models import Assignment, Judgment
from annotation.quality import agreement, leaderboard
from annotation.work import runs
from tasks.models import Project, Response


@dataclass
class ModelRow:
    model: str
    strength: float
    low: float
    high: float
    tests_passed: int = 0
    tests_run: int = 0
    comments_by_category: dict[str, int] = field(default_factory=dict)  # line comments on its responses
    comments_by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def line_comments(self) -> int:
        return sum(self.comments_by_severity.values())

    @property
    def pass_rate(self) -> float | None:
        return self.tests_passed / self.tests_run if self.tests_run else None


@dataclass
class Quality:
    judgments: int
    tasks_with_overlap: int
    preference_agreement: float | None
    preference_kappa: float | None
    dimension_alpha: dict[str, float | None]
    dimension_agreement: dict[str, float | None]  # pairwise percent agreement of the scores
    ranking_alpha: float | None  # Krippendorff's alpha (ordinal) of the rank each annotator gave each response
    mean_kendall_tau: float | None
    models: list[ModelRow] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)


def project_quality(project: Project, *, bootstrap_samples: int = 200) -> Quality:
    submitted = list(
        Assignment.objects.filter(task__project=project, status=Assignment.Status.SUBMITTED, judgment__isnull=False)
        .select_related("judgment")
        .order_by("task_id", "id")
    )
    models_of: dict[int, dict[str, str]] = defaultdict(dict)
    for task_id, label, model in Response.objects.filter(task__project=project).values_list(
        "task_id", "label", "model_name"
    ):
        models_of[task_id][label] = model
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for a in submitted:
        by_task[a.task_id].append(a)
    overlapping = [group for group in by_task.values() if len(group) >= 2]

    top_units = [[_first_choice(a.judgment) for a in group] for group in overlapping]
    scores = {
        d["key"]: [
            [a.judgment.ratings.get(label, {}).get(d["key"]) for a in group]
            for group in overlapping
            for label in models_of[group[0].task_id]
        ]
        for d in project.rubric
    }
    alpha = {key: agreement.krippendorff_alpha_ordinal(units) for key, units in scores.items()}
    ranks = [
        [rankings.ranks(a.judgment.ranking).get(label) for a in group]
        for group in overlapping
        for label in models_of[group[0].task_id]
    ]
    taus = [
        tau
        for group in overlapping
        for x, y in combinations(group, 2)
        if (tau := agreement.kendall_tau_b(rankings.ranks(x.judgment.ranking), rankings.ranks(y.judgment.ranking)))
        is not None
    ]
    comparisons = [
        c
        for a in submitted
        if not a.judgment.all_unacceptable
        for c in leaderboard.from_ranking(a.judgment.ranking, models_of[a.task_id])
    ]
    return Quality(
        judgments=len(submitted),
        tasks_with_overlap=len(overlapping),
        preference_agreement=agreement.percent_agreement(top_units),
        preference_kappa=agreement.fleiss_kappa(top_units),
        dimension_alpha=alpha,
        dimension_agreement={key: agreement.percent_agreement(units) for key, units in scores.items()},
        ranking_alpha=agreement.krippendorff_alpha_ordinal(ranks),
        mean_kendall_tau=round(mean(taus), 4) if taus else None,
        models=_models(comparisons, submitted, models_of, bootstrap_samples),
        pairs=[{"a": a, "b": b, **counts} for (a, b), counts in sorted(leaderboard.win_tie_loss(comparisons).items())],
    )


def _models(
    comparisons: list[leaderboard.Comparison],
    submitted: list[Assignment],
    models_of: dict[int, dict[str, str]],
    samples: int,
) -> list[ModelRow]:
    strengths = leaderboard.bradley_terry(comparisons) if comparisons else {}
    intervals = leaderboard.bootstrap_intervals(comparisons, samples=samples) if comparisons else {}
    rows = {m: ModelRow(m, s, *intervals.get(m, (s, s))) for m, s in strengths.items()}
    for model, passed, run in _test_counts(submitted, models_of):
        row = rows.setdefault(model, ModelRow(model, 0.0, 0.0, 0.0))
        row.tests_passed += passed
        row.tests_run += run
    notes = (
        (models_of[a.task_id][c["label"]], c["category"], c["severity"])
        for a in submitted
        for c in a.judgment.line_comments
    )
    for model, counts in leaderboard.line_comment_counts(notes).items():
        row = rows.setdefault(model, ModelRow(model, 0.0, 0.0, 0.0))
        row.comments_by_category, row.comments_by_severity = counts["by_category"], counts["by_severity"]
    return sorted(rows.values(), key=lambda r: -r.strength)


def _test_counts(submitted: list[Assignment], models_of: dict[int, dict[str, str]]) -> list[tuple[str, int, int]]:
    """(model, tests passed, tests run) for every response under each judgment's last finished run."""
    task_of = {a.pk: a.task_id for a in submitted}
    return [
        (models_of[task_of[aid]][label], result.passed, len(result.tests))
        for aid, by_label in runs.last_results(list(task_of)).items()
        for label, result in by_label.items()
    ]


def _first_choice(judgment: Judgment) -> str:
    return rankings.first_choice(judgment.ranking, all_unacceptable=judgment.all_unacceptable)
