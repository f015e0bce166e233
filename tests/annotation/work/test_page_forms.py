"""The pages' forms are checked by the same serializers as the API: what one refuses, so does the other."""

from __future__ import annotations

from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, Review
from annotation.work import judging, queue
from tasks import services
from tasks.models import Role, User
from tests.conftest import claimable_project, make_user

RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


def _submitted() -> tuple[Assignment, User]:
    ann, rev = make_user("pf-ann"), make_user("pf-rev")
    project = claimable_project(annotators=[ann], tasks=1)
    project.min_tests = 0
    project.save(update_fields=["min_tests"])
    services.add_member(project=project, user=rev, role=Role.REVIEWER)
    assignment = queue.claim_next_assignment(project=project, annotator=ann)
    labels = assignment.response_order
    data = {
        "ranking": [[labels[0]], [labels[1]]],
        "ratings": {x: dict.fromkeys(RUBRIC, 3) for x in labels},
        "rationale": "A handles the empty list; B raises on it.",
    }
    judging.save_draft(assignment=assignment, data=data)
    judging.submit_judgment(assignment=assignment, data=data)
    return assignment, rev


def test_a_review_score_off_the_scale_is_refused_alike_by_page_and_api(client: Client, db: None) -> None:
    """A page that parsed the score by hand let "0" or "x" through (or dropped it silently)."""
    assignment, reviewer = _submitted()
    client.force_login(reviewer)
    page = client.post(f"/review/{assignment.pk}/", {"verdict": "accept", "score": "9"})
    token = Token.objects.get_or_create(user=reviewer)[0].key
    api = client.post(
        f"/api/v1/assignments/{assignment.pk}/review",
        {"verdict": "accept", "score": 9},
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )

    unreadable = client.post(f"/review/{assignment.pk}/", {"verdict": "accept", "score": "four"})

    assert page.status_code == 400 and "score" in page.content.decode()
    assert unreadable.status_code == 400 and "valid integer" in unreadable.content.decode()
    assert api.status_code == 400 and "score" in api.json()
    assert not Review.objects.filter(assignment=assignment).exists()

    accepted = client.post(f"/review/{assignment.pk}/", {"verdict": "accept", "score": ""})
    assert accepted.status_code == 302 and Review.objects.get(assignment=assignment).score is None


def test_a_heartbeat_without_a_sequence_number_is_refused_not_credited(client: Client, db: None) -> None:
    """The page's heartbeat read a missing seq as 0, which the API refuses; now both refuse it."""
    ann = make_user("pf-beat")
    project = claimable_project(annotators=[ann], tasks=1)
    client.force_login(ann)
    client.post(f"/projects/{project.slug}/start")

    refused = client.post("/work/heartbeat", {"tab": "t1"})
    taken = client.post("/work/heartbeat", {"tab": "t1", "seq": 1})

    assert refused.status_code == 400 and "seq" in refused.json()["errors"]
    assert taken.status_code == 200 and set(taken.json()) >= {"credited", "today", "week"}
