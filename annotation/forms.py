"""Turn the workspace form (or its autosaved copy) into the judgment data the services take."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from annotation import judging
from annotation.models import Assignment
from tasks.models import RankingMode


def judgment_data(assignment: Assignment, post: QueryDict) -> dict[str, Any]:
    """Field names: rank-<label>, strength (-3..3 on the annotator's scale), rating-<label>-<dimension>,
    comment-<label>, rationale, all_unacceptable, ideal_solution, tests_code. Labels are canonical."""
    labels = assignment.response_order
    data: dict[str, Any] = {
        "rationale": post.get("rationale", ""),
        "all_unacceptable": post.get("all_unacceptable") in ("on", "1", "true"),
        "ideal_solution": post.get("ideal_solution", ""),
        "comments": {label: post.get(f"comment-{label}", "") for label in labels if post.get(f"comment-{label}")},
        "ratings": _ratings(assignment, post),
    }
    if "tests_code" in post:
        data["tests_code"] = post["tests_code"]
    if assignment.task.project.ranking_mode == RankingMode.PAIRWISE:
        strength = _int(post.get("strength"))
        if strength is not None and -3 <= strength <= 3:
            data["ranking"], data["strength"] = judging.ranking_from_strength(assignment, strength)
        else:
            data["ranking"], data["strength"] = [], None
    else:
        data["ranking"] = _ranking(labels, post)
    return data


def _ratings(assignment: Assignment, post: QueryDict) -> dict[str, dict[str, int]]:
    ratings: dict[str, dict[str, int]] = {}
    for label in assignment.response_order:
        for dimension in assignment.task.project.rubric:
            score = _int(post.get(f"rating-{label}-{dimension['key']}"))
            if score is not None:
                ratings.setdefault(label, {})[dimension["key"]] = score
    return ratings


def _ranking(labels: list[str], post: QueryDict) -> list[list[str]]:
    ranks: dict[int, list[str]] = {}
    for label in labels:
        rank = _int(post.get(f"rank-{label}"))
        if rank is not None and rank > 0:
            ranks.setdefault(rank, []).append(label)
    return [ranks[rank] for rank in sorted(ranks)]


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def form_values(assignment: Assignment, judgment: Any) -> dict[str, Any]:
    """The saved draft as values for the form: ranks, the pairwise scale position, ratings, comments."""
    if judgment is None:
        return {"ranks": {}, "strength": None, "ratings": {}, "comments": {}}
    ranks = {label: i + 1 for i, group in enumerate(judgment.ranking) for label in group}
    strength = None
    if judgment.strength is not None and judgment.ranking:
        first = assignment.response_order[0]
        sign = -1 if first in judgment.ranking[0] else 1
        strength = 0 if judgment.strength == 0 else sign * judgment.strength
    return {"ranks": ranks, "strength": strength, "ratings": judgment.ratings, "comments": judgment.comments}
