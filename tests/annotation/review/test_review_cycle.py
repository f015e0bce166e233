"""The review cycle through HTTP: send back, revise, accept; and who may review."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment, Review
from annotation.review import services as review
from annotation.work import queue
from exporters import query
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, submit_judgment


@pytest.fixture
def setup(annotator: User, reviewer: User) -> tuple[Project, User, User, Assignment]:
    project = claimable_project(annotators=[annotator], tasks=2, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(assignment, ranking=[["B"], ["A"]], rationale="B is right on the empty input; A raises.")
    return project, annotator, reviewer, assignment


def test_send_back_revise_and_accept(client: Client, setup) -> None:
    project, ann, rev, assignment = setup
    client.force_login(rev)

    queue_page = client.get(f"/projects/{project.slug}/review/").content.decode()
    page = client.get(f"/review/{assignment.pk}/").content.decode()
    sent = client.post(f"/review/{assignment.pk}/", {"verdict": "send_back", "feedback": "Name the failing input."})

    assert assignment.task.external_id in queue_page and "model-0" in page  # reviewers see model names
    assert sent.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "returned"
    # The annotator gets it back first, with the feedback, revises and resubmits.
    client.force_login(ann)
    assert client.post(f"/projects/{project.slug}/start")["Location"] == f"/work/{assignment.pk}/"
    assert "Name the failing input." in client.get(f"/work/{assignment.pk}/").content.decode()
    assignment.refresh_from_db()
    submit_judgment(assignment, ranking=[["B"], ["A"]], rationale="B is right on []; A raises IndexError on [].")
    # Back in the queue as a resubmission; the reviewer accepts it with a score.
    client.force_login(rev)
    assert "resubmitted" in client.get(f"/projects/{project.slug}/review/").content.decode()
    client.post(f"/review/{assignment.pk}/", {"verdict": "accept", "score": "4"})

    verdicts = list(Review.objects.filter(assignment=assignment).values_list("verdict", "score"))
    assert verdicts == [("send_back", None), ("accept", 4)]
    assert review.review_queue(project=project, reviewer=rev) == []
    accepted = query.submitted(project, filters={"accepted_only": True}, cutoff=timezone.now(), after=None)
    assert list(accepted.values_list("id", flat=True)) == [assignment.pk]
    assert assignment.judgment.revisions.filter(submitted=True).count() == 2  # both cycles are kept


def test_sending_back_needs_feedback_and_nobody_reviews_their_own_work(setup, annotator2: User) -> None:
    """Catches feedback not required to send back, and a reviewer offered or allowed their own judgment
    (their queue holds a colleague's judgment, never theirs)."""
    project, ann, rev, assignment = setup
    services.add_member(project=project, user=ann, role=Role.REVIEWER)
    services.add_member(project=project, user=annotator2, role=Role.ANNOTATOR)
    colleagues = queue.claim_next_assignment(project=project, annotator=annotator2)
    submit_judgment(colleagues)

    with pytest.raises(review.ReviewRefused, match="say what to fix"):
        review.review_judgment(assignment=assignment, reviewer=rev, verdict="send_back")
    with pytest.raises(review.ReviewRefused, match="your own judgment"):
        review.review_judgment(assignment=assignment, reviewer=ann, verdict="accept")
    assert review.review_queue(project=project, reviewer=ann) == [colleagues]
    assert {a.pk for a in review.review_queue(project=project, reviewer=rev)} == {assignment.pk, colleagues.pk}


def test_a_rejected_judgment_is_not_exported_as_accepted(setup) -> None:
    project, _ann, rev, assignment = setup
    review.review_judgment(assignment=assignment, reviewer=rev, verdict="reject", feedback="copied rationale")

    accepted = query.submitted(project, filters={"accepted_only": True}, cutoff=timezone.now(), after=None)

    assert not accepted.exists()
    assert review.review_queue(project=project, reviewer=rev) == []


def test_annotators_cannot_open_reviews_and_outsiders_get_404(client: Client, setup, outsider: User) -> None:
    project, ann, _rev, assignment = setup
    client.force_login(ann)
    assert client.get(f"/projects/{project.slug}/review/").status_code == 403
    assert client.get(f"/review/{assignment.pk}/").status_code == 404  # as for an id that does not exist
    client.force_login(outsider)
    assert client.get(f"/projects/{project.slug}/review/").status_code == 404
    assert client.post(f"/review/{assignment.pk}/", {"verdict": "accept"}).status_code == 404


def test_the_sample_rate_is_stable(setup) -> None:
    picked = [review.in_sample(i, 0.3) for i in range(1000)]

    assert picked == [review.in_sample(i, 0.3) for i in range(1000)]
    assert 250 < sum(picked) < 350


def test_the_review_api(client: Client, setup) -> None:
    from rest_framework.authtoken.models import Token

    project, ann, rev, assignment = setup
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=rev)[0].key}"}
    ann_auth = {"Authorization": f"Token {Token.objects.get_or_create(user=ann)[0].key}"}

    waiting = client.get(f"/api/v1/projects/{project.slug}/reviews/queue", headers=auth).json()
    refused = client.post(
        f"/api/v1/assignments/{assignment.pk}/review",
        {"verdict": "send_back"},
        content_type="application/json",
        headers=auth,
    )
    done = client.post(
        f"/api/v1/assignments/{assignment.pk}/review",
        {"verdict": "accept", "score": 5},
        content_type="application/json",
        headers=auth,
    )

    assert [w["assignment"] for w in waiting] == [assignment.pk]
    assert refused.status_code == 409 and "say what to fix" in refused.json()["detail"]
    assert done.status_code == 201 and done.json()["verdict"] == "accept" and done.json()["score"] == 5
    assert client.get(f"/api/v1/projects/{project.slug}/reviews/queue", headers=ann_auth).status_code == 403
