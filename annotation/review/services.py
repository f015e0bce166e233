"""Review: reviewers and leads accept, reject or send back submitted judgments, lowest confidence first.

A judgment waits for review when it was submitted after its last review (or never reviewed), and
falls in the project's review sample (a stable hash of the assignment, so the sample never shifts).
Sent-back work returns to its annotator first in their queue, with the feedback shown; their next
submission comes back to the queue. Reviewers never review their own judgments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, QuerySet

from annotation.models import Assignment, Review
from annotation.work import queue
from tasks.models import Project, User

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
    feedback = feedback.strip()
    if verdict == Review.Verdict.SEND_BACK and not feedback:
        raise ReviewRefused("say what to fix when you send work back")
    locked = Assignment.objects.select_for_update().filter(pk=assignment.pk, status=Assignment.Status.SUBMITTED)
    if not locked.exists():
        raise ReviewRefused("only submitted work can be reviewed (it may have been sent back already)")
    review = Review.objects.create(
        assignment=assignment, reviewer=reviewer, verdict=verdict, feedback=feedback[:10000], score=score
    )
    if verdict == Review.Verdict.SEND_BACK:
        queue.return_assignment(assignment=assignment)
    return review


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
