"""A judgment as the annotator sends it, checked in one place, and its one output shape.

Blindness: the annotator's browser and API only ever see their own letters (Assignment.display_label:
their shuffled order, A first), never the stored labels, which follow the import file's order and would
tell which model wrote which response. Two front doors build the same raw dict in stored labels:
`from_form` (the workspace form: rank-<letter>, strength, rating-<letter>-<dimension>, comment-<letter>,
...) and `from_letters` (the API's JSON). `clean` is the one validator; the services call it, so every
caller (page, API, demo, tests) gets the same checks and the same error names. `as_letters` and
`as_form` are the saved judgment going back out, in letters and in the letters' order.

Line comments ({id, label, start, end, category, severity, text}) come in the same way: the form's
hidden `line_comments` input and the API carry them as JSON in letters; they are stored in labels,
sorted by the annotator's letter, then start and end line, so a round trip through the page saves nothing
new. Line numbers are checked against tasks.rendering.source_lines, the count the code panels number.

Nothing is cut: a text over MAX_TEXT characters is refused with the limit named, so what the annotator
sees saved is what was saved. Every text's line ends are stored as LF (tasks.text.lf): a form posts a
textarea with CRLF, the API sends LF, and an export must not mix the two.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from annotation import rankings
from annotation.models import Assignment, Judgment
from tasks.models import RankingMode
from tasks.rendering import source_lines
from tasks.text import lf

TEXTS = ("rationale", "ideal_solution", "tests_code")
MAX_TEXT = 64 * 1024  # characters, per text field and per comment (the API's serializers say the same)
NAMES = {
    "rationale": "the rationale",
    "ideal_solution": "the ideal solution",
    "tests_code": "the test file",
    "evidence_note": "the note on your ranking",
}
SEVERITIES = ("minor", "major", "critical")
MAX_LINE_COMMENTS = 200  # per judgment: far above a careful review, low enough to keep a save small
LINE_COMMENT_KEYS = ("id", "label", "start", "end", "category", "severity", "text")  # the stored order
COMMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
    if "line_comments" in post:  # absent (an older page): the saved comments stay as they are
        data["line_comments"] = _letters_to_labels(assignment, _json_list(post.get("line_comments", "")))
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
    if "line_comments" in data:
        out["line_comments"] = _letters_to_labels(assignment, data["line_comments"])
    return out


def _json_list(text: str) -> Any:
    """The form's JSON text; blank is no comments, unreadable JSON a value `clean` refuses."""
    if not text.strip():
        return []
    try:
        return json.loads(text)
    except ValueError:
        return None


def _letters_to_labels(assignment: Assignment, comments: Any) -> Any:
    """Each comment's letter as its stored label ("?X" for a letter that is not the annotator's);
    anything not a list of objects is left for `clean` to refuse."""
    if not isinstance(comments, list) or not all(isinstance(c, dict) for c in comments):
        return comments
    shown = {assignment.display_label(label): label for label in assignment.response_order}
    return [
        {**c, "label": shown.get(c["label"], f"?{c['label']}") if isinstance(c.get("label"), str) else None}
        for c in comments
    ]


def clean(assignment: Assignment, data: dict[str, Any]) -> dict[str, Any]:
    """Keep the known fields, check their shape; raise JudgmentInvalid naming each bad field."""
    checks = {
        "ranking": _ranking,
        "strength": _strength,
        "ratings": _ratings,
        "comments": _comments,
        "line_comments": _line_comments,
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
    return {label: lf(text) for label, text in comments.items()}


def _line_comments(assignment: Assignment, value: Any) -> list[dict[str, Any]]:
    """Each comment checked and kept with its known keys only, sorted by letter, then lines."""
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
        raise ValueError("line comments are a list of {id, label, start, end, category, severity, text}")
    if len(value) > MAX_LINE_COMMENTS:
        raise ValueError(f"at most {MAX_LINE_COMMENTS} line comments (there are {len(value)}); merge or remove some")
    lines = {label: len(source_lines(code)) for label, code in assignment.task.responses.values_list("label", "code")}
    categories = [c["key"] for c in assignment.task.project.comment_categories]
    seen: set[str] = set()
    out = []
    for n, comment in enumerate(value, 1):
        where = _where(assignment, comment, n)
        problem = _line_comment_problem(comment, lines, categories, seen)
        if problem:
            raise ValueError(f"{where}: {problem}")
        seen.add(comment["id"])
        out.append({key: comment[key] for key in LINE_COMMENT_KEYS} | {"text": lf(comment["text"])})
    order = {label: i for i, label in enumerate(assignment.response_order)}
    return sorted(out, key=lambda c: (order[c["label"]], c["start"], c["end"], c["id"]))


def _where(assignment: Assignment, comment: dict[str, Any], n: int) -> str:
    """How a message names a comment: its response (in the annotator's letter) and its lines."""
    label = comment.get("label")
    letter = label[1:] if isinstance(label, str) and label.startswith("?") else None
    if isinstance(label, str) and label in assignment.response_order:
        letter = assignment.display_label(label)
    start, end = comment.get("start"), comment.get("end")
    if not letter:
        return f"comment {n}"
    if not (isinstance(start, int) and isinstance(end, int)):
        return f"comment {n} (response {letter})"
    return f"comment {n} (response {letter}, {f'line {start}' if start == end else f'lines {start}-{end}'})"


def _line_comment_problem(comment: dict[str, Any], lines: dict[str, int], categories: list[str], seen: set[str]) -> str:
    """What is wrong with one comment, field by field, or ""."""
    cid, label, start, end = (comment.get(k) for k in ("id", "label", "start", "end"))
    if not isinstance(cid, str) or not COMMENT_ID.fullmatch(cid):
        return "its id must be 1 to 64 letters, digits, - or _"
    if cid in seen:
        return f"its id {cid} is used by another comment; each comment needs its own"
    if not isinstance(label, str):
        return "name its response by its letter"
    if label not in lines:
        return f"this task has no response {label.removeprefix('?')}"
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        return "start and end must be line numbers"
    if not 1 <= start <= end <= lines[label]:
        return f"the lines must be within 1-{lines[label]} of the response, start no later than end"
    if comment.get("category") not in categories:
        return f"the category must be one of this project's: {', '.join(categories)}"
    if comment.get("severity") not in SEVERITIES:
        return f"the severity must be one of {', '.join(SEVERITIES)}"
    text = comment.get("text")
    if not isinstance(text, str) or not text.strip():
        return "write the comment's text"
    try:
        check_length("its text", text)
    except ValueError as wrong:
        return str(wrong)
    return ""


def _text(key: str) -> Callable[[Assignment, Any], str]:
    """The check of one text field, whose message names it."""

    def check(_assignment: Assignment, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{NAMES[key]} must be text")
        return check_length(NAMES[key], lf(value))

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
        "line_comments": _comments_in_letters(assignment, judgment.line_comments),
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
        return {"ranks": {}, "strength": None, "ratings": {}, "comments": {}, "line_comments": "[]"}
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
        "line_comments": line_comments_json(assignment, judgment),
    }


def line_comments_json(assignment: Assignment, judgment: Judgment | None) -> str:
    """The line comments as the form's hidden input holds them: JSON in letters, compact and with the
    keys in the page's order, as the page's JSON.stringify writes it (the page compares the two texts)."""
    comments = _comments_in_letters(assignment, judgment.line_comments) if judgment else []
    return json.dumps(comments, ensure_ascii=False, separators=(",", ":"))


def _comments_in_letters(assignment: Assignment, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored line comments (in letter order already) with each label as the annotator's letter."""
    return [{**c, "label": assignment.display_label(c["label"])} for c in comments]


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
