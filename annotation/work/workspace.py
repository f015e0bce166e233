"""What the workspace page shows, built with a fixed number of queries whatever the task's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse

from annotation.models import Assignment, CommentReply, Judgment, Review, TestResult, TestRun
from annotation.work import activity, judging, judgment_input
from sandbox import languages
from tasks.compiled import Compiled
from tasks.models import Response

EARLIER_RUNS = 10

# The page's reads, compiled once per connection (tasks/compiled.py): every view of the page runs them.
_RESPONSES: Compiled[Response] = Compiled(lambda task: Response.objects.filter(task_id=task), task=int)
_JUDGMENT: Compiled[Judgment] = Compiled(
    lambda assignment: Judgment.objects.filter(assignment_id=assignment).order_by("pk")[:1], assignment=int
)
_RUNS: Compiled[TestRun] = Compiled(
    lambda assignment: (
        TestRun.objects.filter(assignment_id=assignment)
        .select_related("test_case")
        .order_by("-created_at", "-id")[: EARLIER_RUNS + 1]
    ),
    assignment=int,
)
_SEND_BACK: Compiled[Review] = Compiled(
    lambda assignment: (
        Review.objects.filter(assignment_id=assignment, verdict=Review.Verdict.SEND_BACK)
        .select_related("reviewer")
        .order_by("-created_at", "-id")[:1]
    ),
    assignment=int,
)


@dataclass
class Row:
    """One line of the results matrix: a response (or the ideal solution) against each test."""

    label: str  # canonical label, "" for the ideal solution
    display: str  # what the annotator sees: A, B, ... or "Ideal"
    result: TestResult
    cells: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Matrix:
    run: TestRun
    tests: list[str]
    rows: list[Row]

    @property
    def pending(self) -> bool:
        return any(row.result.status in TestResult.PENDING for row in self.rows)


def context(assignment: Assignment, shown: Judgment | None = None) -> dict[str, Any]:
    """The workspace page's context; `shown` is a judgment to put in the form instead of the saved one
    (the annotator's posted text when their submit was refused as stale), with the saved revision."""
    task = assignment.task
    by_label = {r.label: r for r in _RESPONSES.all(task=task.pk)}
    responses = [(assignment.display_label(label), by_label[label]) for label in assignment.response_order]
    saved = _saved(assignment)
    judgment = shown or saved
    runs = _runs(assignment)
    today, week = activity.today_and_week(annotator=assignment.annotator)
    return {
        "assignment": assignment,
        "task": task,
        "project": task.project,
        "responses": responses,
        "judgment": judgment,
        "values": judgment_input.as_form(assignment, judgment),
        "tests_code": judgment.tests_code
        if judgment and judgment.tests_code
        else languages.get(task.language).test_template,
        "matrix": matrix(assignment, runs[0]) if runs else None,
        "earlier_runs": [matrix(assignment, run) for run in runs[1:]],
        "today_seconds": today,
        "week_seconds": week,
        "scale": SCALE,
        "heartbeat_seconds": settings.HEARTBEAT_SECONDS,
        "max_text": judgment_input.MAX_TEXT,  # the counter warns before the server refuses
        "feedback": _feedback(assignment),
        "revision": judging.latest_revision(saved),  # every autosave says what it was based on
        "line_comment_setup": line_comment_setup(assignment, judgment),
    }


def line_comment_setup(assignment: Assignment, judgment: Judgment | None) -> dict[str, Any]:
    """What comments.js needs besides the comments themselves (the form's hidden input): the project's
    categories, the severities, and the replies so far to each comment (the annotator's own work only)."""
    threads = judging.comment_threads(judgment)
    return {
        "categories": assignment.task.project.comment_categories,
        "severities": list(judgment_input.SEVERITIES),
        "max_text": judgment_input.MAX_TEXT,
        "reply_url": reverse("workspace-reply", args=[assignment.pk]),
        "replies": {cid: [reply_data(r) for r in replies] for cid, replies in threads.items()},
    }


def reply_data(reply: CommentReply) -> dict[str, str]:
    """One reply as the page and the API show it."""
    return {"author": reply.author.username, "text": reply.text, "created_at": reply.created_at.isoformat()}


def form_fields(assignment: Assignment, judgment: Judgment) -> dict[str, str]:
    """The saved draft as the form's own names and values (letters, not labels), so the page can put a
    newer draft from the server into its form; a field left out is blank or unchecked."""
    values = judgment_input.as_form(assignment, judgment)
    template = languages.get(assignment.task.language).test_template  # what the page shows before a save
    fields = {
        "rationale": judgment.rationale,
        "ideal_solution": judgment.ideal_solution,
        "tests_code": judgment.tests_code or template,
    }
    if judgment.all_unacceptable:
        fields["all_unacceptable"] = "on"
    if values["strength"] is not None:
        fields["strength"] = str(values["strength"])
    fields.update({f"rank-{letter}": str(rank) for letter, rank in values["ranks"].items()})
    for letter, scores in values["ratings"].items():
        fields.update({f"rating-{letter}-{key}": str(score) for key, score in scores.items()})
    fields.update({f"comment-{letter}": comment for letter, comment in values["comments"].items()})
    fields["line_comments"] = values["line_comments"]
    return fields


def _runs(assignment: Assignment) -> list[TestRun]:
    """The latest runs, newest first, with their results (a second query only when there are runs)."""
    runs = _RUNS.all(assignment=assignment.pk)
    results = TestResult.objects.select_related("response").order_by("id")
    prefetch_related_objects(runs, Prefetch("results", queryset=results))
    return runs


def matrix(assignment: Assignment, run: TestRun) -> Matrix:
    results = list(run.results.all())
    names: list[str] = []
    for result in results:
        for test in result.tests:
            if test["name"] not in names:
                names.append(test["name"])
    rows = []
    order = {label: i for i, label in enumerate(assignment.response_order)}
    for result in sorted(results, key=lambda r: order.get(r.response.label, 99) if r.response else 100):
        label = result.response.label if result.response else ""
        row = Row(label=label, display=assignment.display_label(label) if label else "Ideal", result=result)
        outcomes = {t["name"]: t for t in result.tests}
        row.cells = [outcomes.get(name, {"name": name, "outcome": "missing", "message": ""}) for name in names]
        rows.append(row)
    return Matrix(run=run, tests=names, rows=rows)


# The pairwise scale, on the annotator's letters: negative means their A is better.
SCALE = [
    (-3, "A much better"),
    (-2, "A better"),
    (-1, "A slightly better"),
    (0, "Tie"),
    (1, "B slightly better"),
    (2, "B better"),
    (3, "B much better"),
]


@dataclass(frozen=True)
class SentBack:
    reviewer_name: str
    feedback: str


def _read_for_page(assignment: Assignment) -> bool:
    """Whether access_assignment(page=True) read it, with its judgment and latest send-back (its
    annotation says so: a judgment cached on it may be one a view built, not the saved one)."""
    return hasattr(assignment, "sent_back_by")


def _saved(assignment: Assignment) -> Judgment | None:
    if _read_for_page(assignment):
        return getattr(assignment, "judgment", None)  # None when there is none yet
    return _JUDGMENT.first(assignment=assignment.pk)


def _feedback(assignment: Assignment) -> SentBack | None:
    """The reviewer's send-back the annotator is answering, if their work came back."""
    if _read_for_page(assignment):
        by, feedback = assignment.sent_back_by, assignment.sent_back_feedback  # type: ignore[attr-defined]
        return None if by is None else SentBack(reviewer_name=by, feedback=feedback)
    review = _SEND_BACK.first(assignment=assignment.pk)
    return None if review is None else SentBack(reviewer_name=review.reviewer.username, feedback=review.feedback)
