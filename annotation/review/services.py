"""Review: reviewers and leads accept, reject or send back submitted judgments, lowest confidence first.

A judgment waits for review when it was submitted after its last review (or never reviewed), and
falls in the project's review sample (a stable hash of the assignment, so the sample never shifts).
Sent-back work returns to its annotator first in their queue, with the feedback shown; their next
submission comes back to the queue. Reviewers never review their own judgments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet

from annotation.models import Assignment, Judgment, Review
from annotation.webhooks import services as webhooks
from annotation.work import judging, queue
from tasks.models import Project, User
from tasks.text import lf

QUEUE_SIZE = 100


class ReviewRefused(ValueError):
    pass


def in_sample(assignment_id: int, rate: float) -> bool:
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"review-sample:{assignment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def waiting(project: Project) -> QuerySet[Assignment]:
    """Submitted assignments with no review since their submission."""
    reviewed_since = Review.objects.filter(assignment=OuterRef("pk"), created_at__gte=OuterRef("submitted_at"))
    return Assignment.objects.filter(task__project=project, status=Assignment.Status.SUBMITTED).exclude(
        Exists(reviewed_since)
    )


def review_queue(*, project: Project, reviewer: User) -> Sequence[Assignment]:
    """What the reviewer should look at next: flagged work first, then resubmissions, then oldest."""
    rows = (
        waiting(project)
        .exclude(annotator=reviewer)
        .select_related("task", "annotator", "judgment")
        .annotate(cycles=Max("reviews__id"))
        .order_by(F("judgment__evidence_conflict").desc(), F("cycles").desc(nulls_last=True), "submitted_at")
    )
    rate = project.review_sample_rate
    return [a for a in rows[: QUEUE_SIZE * 4] if in_sample(a.pk, rate)][:QUEUE_SIZE]


@transaction.atomic
def review_judgment(
    *, assignment: Assignment, reviewer: User, verdict: str, feedback: str = "", score: int | None = None
) -> Review:
    """Record a verdict; "send back" returns the work to its annotator with the feedback."""
    if assignment.annotator_id == reviewer.pk:
        raise ReviewRefused("you cannot review your own judgment")
    if verdict not in Review.Verdict.values:
        raise ReviewRefused(f"the verdict is one of {', '.join(Review.Verdict.values)}")
    if score is not None and not 1 <= score <= 5:
        raise ReviewRefused("the score is 1 to 5")
    feedback = lf(feedback).strip()
    if verdict == Review.Verdict.SEND_BACK and not feedback:
        raise ReviewRefused("say what to fix when you send work back")
    feedback = feedback[:10000]
    # The assignment's row lock makes "no verdict yet, so record one" a single step: of parallel
    # verdicts, the first is recorded and the others find it once they get the lock.
    locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        raise ReviewRefused("this judgment no longer exists")
    earlier = _verdict_on_this_submission(locked)
    if earlier is not None:
        if (earlier.reviewer_id, earlier.verdict, earlier.feedback, earlier.score) == (
            reviewer.pk,
            verdict,
            feedback,
            score,
        ):
            return earlier  # the same verdict again (a double click, a retried request): it counted once
        raise ReviewRefused(
            f"this submission already has a verdict ({earlier.get_verdict_display().lower()} by "
            f"{earlier.reviewer.username}); it can be reviewed again once the annotator resubmits"
        )
    if locked.status != Assignment.Status.SUBMITTED:
        raise ReviewRefused("only submitted work can be reviewed (it may have been sent back already)")
    review = Review.objects.create(
        assignment=assignment, reviewer=reviewer, verdict=verdict, feedback=feedback, score=score
    )
    if verdict == Review.Verdict.SEND_BACK:
        queue.return_assignment(assignment=assignment)
    webhooks.judgment_reviewed(review=review)
    return review


def _verdict_on_this_submission(assignment: Assignment) -> Review | None:
    """The verdict already given on the assignment's latest submission, if any: one per submission
    (the same rule as `waiting`: a review at or after the submission time)."""
    if assignment.submitted_at is None:
        return None
    reviews = Review.objects.filter(assignment=assignment, created_at__gte=assignment.submitted_at)
    return reviews.select_related("reviewer").order_by("created_at", "id").first()


def latest_reviews(assignments: list[Assignment]) -> dict[int, Review]:
    """The last review of each assignment, in one query."""
    latest: dict[int, Review] = {}
    for review in Review.objects.filter(assignment__in=assignments).order_by("assignment_id", "created_at", "id"):
        latest[review.assignment_id] = review
    return latest


def accepted(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Only assignments whose last review accepted them."""
    last = Review.objects.filter(assignment=OuterRef("pk")).order_by("-created_at", "-id").values("verdict")[:1]
    return qs.annotate(last_verdict=last.values("verdict")).filter(last_verdict=Review.Verdict.ACCEPT)


def comment_threads(assignment: Assignment, judgment: Judgment | None) -> dict[str, list[dict[str, Any]]]:
    """The judgment's line comments by stored label, each with the annotator's letter and its replies
    (what the review page and the review API show)."""
    threads = judging.comment_threads(judgment)
    out: dict[str, list[dict[str, Any]]] = {}
    for comment in judgment.line_comments if judgment else []:
        out.setdefault(comment["label"], []).append(
            {
                **comment,
                "display": assignment.display_label(comment["label"]),
                "replies": threads.get(comment["id"], []),
            }
        )
    return out
