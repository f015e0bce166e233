"""A judgment as the annotator sends it, checked in one place, and its one output shape.

Blindness: the annotator's browser and API only ever see their own letters (Assignment.display_label:
their shuffled order, A first), never the stored labels, which follow the import file's order and would
tell which model wrote which response. Two front doors build the same raw dict in stored labels:
`from_form` (the workspace form: rank-<letter>, strength, rating-<letter>-<dimension>, comment-<letter>,
...) and `from_letters` (the API's JSON). `clean` is the one validator; the services call it, so every
caller (page, API, demo, tests) gets the same checks and the same error names. `as_letters` and
`as_form` are the saved judgment going back out, in letters and in the letters' order.

Nothing is cut: a text over MAX_TEXT characters is refused with the limit named, so what the annotator
sees saved is what was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from annotation import rankings
from annotation.models import Assignment, Judgment
from tasks.models import RankingMode

TEXTS = ("rationale", "ideal_solution", "tests_code")
MAX_TEXT = 64 * 1024  # characters, per text field and per comment (the API's serializers say the same)
NAMES = {
    "rationale": "the rationale",
    "ideal_solution": "the ideal solution",
    "tests_code": "the test file",
    "evidence_note": "the note on your ranking",
}


class JudgmentInvalid(Exception):
    """The judgment cannot be saved or submitted as it is; `errors` maps a field to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def from_form(assignment: Assignment, post: QueryDict) -> dict[str, Any]:
    """The workspace form (or its autosaved copy), whose names carry the annotator's letters, in stored
    labels; blank and unreadable numbers count as not given."""
    letters = {label: assignment.display_label(label) for label in assignment.response_order}
    data: dict[str, Any] = {
        "rationale": post.get("rationale", ""),
        "all_unacceptable": post.get("all_unacceptable") in ("on", "1", "true"),
        "ideal_solution": post.get("ideal_solution", ""),
        "comments": {
            label: comment for label, letter in letters.items() if (comment := post.get(f"comment-{letter}", ""))
        },
        "ratings": {
            label: scores
            for label, letter in letters.items()
            if (
                scores := {
                    d["key"]: score
                    for d in assignment.task.project.rubric
                    if (score := _int(post.get(f"rating-{letter}-{d['key']}"))) is not None
                }
            )
        },
    }
    if "tests_code" in post:
        data["tests_code"] = post["tests_code"]
    if _pairwise(assignment):
        strength = _int(post.get("strength"))
        data["ranking"], data["strength"] = _from_scale(assignment, strength) if strength is not None else ([], None)
    else:
        ranks: dict[int, list[str]] = {}
        for label, letter in letters.items():
            rank = _int(post.get(f"rank-{letter}"))
            if rank is not None and rank > 0:
                ranks.setdefault(rank, []).append(label)
        data["ranking"] = [ranks[rank] for rank in sorted(ranks)]
    return data


def from_letters(assignment: Assignment, data: dict[str, Any]) -> dict[str, Any]:
    """The API's judgment (already type-checked by its serializer) in stored labels; a letter that is
    not one of the annotator's becomes "?X", which `clean` refuses by name."""
    shown = {assignment.display_label(label): label for label in assignment.response_order}
    out = {k: v for k, v in data.items() if k in (*TEXTS, "all_unacceptable")}
    if _pairwise(assignment) and data.get("strength") is not None:
        out["ranking"], out["strength"] = _from_scale(assignment, data["strength"])
    elif "ranking" in data:
        out["ranking"] = rankings.relabel(data["ranking"], lambda x: shown.get(x, f"?{x}"))
    for key in ("ratings", "comments"):
        if key in data:
            out[key] = {shown.get(k, f"?{k}"): v for k, v in data[key].items()}
    return out


def clean(assignment: Assignment, data: dict[str, Any]) -> dict[str, Any]:
    """Keep the known fields, check their shape; raise JudgmentInvalid naming each bad field."""
    checks = {
        "ranking": _ranking,
        "strength": _strength,
        "ratings": _ratings,
        "comments": _comments,
        **{key: _text(key) for key in TEXTS},
        "all_unacceptable": lambda _a, value: bool(value),
    }
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, check in checks.items():
        if key in data:
            try:
                out[key] = check(assignment, data[key])
            except ValueError as wrong:
                errors[key] = str(wrong)
    if errors:
        raise JudgmentInvalid(errors)
    return out


def _ranking(assignment: Assignment, value: Any) -> list[list[str]]:
    ranking = value or []
    labels = set(assignment.response_order)
    flat = [x for group in ranking for x in group] if isinstance(ranking, list) else None
    if (
        flat is None
        or any(not isinstance(group, list) or not group for group in ranking)
        or not set(flat) <= labels
        or len(flat) != len(set(flat))
    ):
        raise ValueError("a ranking is a list of groups of response labels, each label once")
    return ranking


def _strength(_assignment: Assignment, value: Any) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3):
        raise ValueError("strength is 0 (tie) to 3 (much better)")
    return value


def _ratings(assignment: Assignment, value: Any) -> dict[str, dict[str, int]]:
    ratings = value or {}
    labels = set(assignment.response_order)
    rubric = {d["key"]: d for d in assignment.task.project.rubric}
    if not isinstance(ratings, dict) or any(
        label not in labels
        or not isinstance(scores, dict)
        or any(
            key not in rubric or not isinstance(v, int) or not rubric[key]["min"] <= v <= rubric[key]["max"]
            for key, v in scores.items()
        )
        for label, scores in ratings.items()
    ):
        raise ValueError("ratings are {label: {dimension: score}} within each dimension's scale")
    return ratings


def _comments(assignment: Assignment, value: Any) -> dict[str, str]:
    comments = value or {}
    labels = set(assignment.response_order)
    if not isinstance(comments, dict) or any(k not in labels or not isinstance(v, str) for k, v in comments.items()):
        raise ValueError("comments are {label: text}")
    for label in assignment.response_order:
        check_length(f"the comment on {assignment.display_label(label)}", comments.get(label, ""))
    return comments


def _text(key: str) -> Callable[[Assignment, Any], str]:
    """The check of one text field, whose message names it."""

    def check(_assignment: Assignment, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{NAMES[key]} must be text")
        return check_length(NAMES[key], value)

    return check


def check_length(what: str, value: str) -> str:
    """Refuse, never cut, a text over MAX_TEXT characters: a cut text would be saved as if it were whole."""
    if len(value) > MAX_TEXT:
        raise ValueError(
            f"{what} is {len(value):,} characters long; the limit is {MAX_TEXT:,} (shorten it; it was not saved)"
        )
    return value


def as_letters(assignment: Assignment, judgment: Judgment | None) -> dict[str, Any] | None:
    """The saved judgment in the annotator's letters, every list and key in letter order (stored order
    would tell which letter is which label): what the API returns."""
    if judgment is None:
        return None
    show = assignment.display_label
    return {
        "ranking": [sorted(group) for group in rankings.relabel(judgment.ranking, show)],
        "strength": judgment.strength,
        "ratings": _by_letter(assignment, judgment.ratings),
        "comments": _by_letter(assignment, judgment.comments),
        "rationale": judgment.rationale,
        "all_unacceptable": judgment.all_unacceptable,
        "ideal_solution": judgment.ideal_solution,
        "tests_code": judgment.tests_code,
        "submitted_at": judgment.submitted_at,
    }


def as_form(assignment: Assignment, judgment: Judgment | None) -> dict[str, Any]:
    """The saved draft as the form's values, keyed by the annotator's letters like the form's names:
    ranks (1 first), the pairwise scale position, ratings, comments."""
    if judgment is None:
        return {"ranks": {}, "strength": None, "ratings": {}, "comments": {}}
    ranks = {label: rank + 1 for label, rank in rankings.ranks(judgment.ranking).items()}
    strength = None
    if judgment.strength is not None and judgment.ranking:
        sign = -1 if assignment.response_order[0] in judgment.ranking[0] else 1
        strength = 0 if judgment.strength == 0 else sign * judgment.strength
    return {
        "ranks": _by_letter(assignment, ranks),
        "strength": strength,
        "ratings": _by_letter(assignment, judgment.ratings),
        "comments": _by_letter(assignment, judgment.comments),
    }


def _by_letter(assignment: Assignment, by_label: dict[str, Any]) -> dict[str, Any]:
    """A {stored label: value} dict keyed by the annotator's letters, in letter order."""
    return {
        assignment.display_label(label): by_label[label] for label in assignment.response_order if label in by_label
    }


def _pairwise(assignment: Assignment) -> bool:
    return assignment.task.project.ranking_mode == RankingMode.PAIRWISE


def _from_scale(assignment: Assignment, strength: int) -> tuple[list[list[str]], int | None]:
    """-3..3 on the annotator's scale (negative: their A is better); off the scale is not given."""
    if not -3 <= strength <= 3:
        return [], None
    first, second = assignment.response_order[:2]
    return rankings.from_strength(first, second, strength)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
