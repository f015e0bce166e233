"""Annotator stats and their flags, on judgments built through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment
from annotation.quality import annotators
from annotation.review import services as review
from annotation.work import queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, heartbeats, submit_judgment

A_FIRST, B_FIRST = [["A"], ["B"]], [["B"], ["A"]]


def worked(user: User, project: Project, seconds: int, hours_ago: int, **judgment) -> Assignment:
    """Claim the next task, work on it for `seconds` (heartbeats ending `hours_ago`), and submit."""
    assignment = queue.claim_next_assignment(project=project, annotator=user)
    heartbeats(user, assignment, seconds, end=timezone.now() - dt.timedelta(hours=hours_ago))
    submit_judgment(assignment, **judgment)
    return assignment


@pytest.fixture
def scene(annotator: User, annotator2: User, lead: User) -> tuple[Project, User, User, User, list[Assignment]]:
    copier, careful = annotator, annotator2
    project = claimable_project(annotators=[copier, careful], tasks=2, overlap=2, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    same = "A is correct on every input I tried; B fails."
    respaced = "  a is correct on every input I tried;  B fails. "  # the same rationale, respaced
    made = [
        worked(copier, project, 30, 2, ranking=A_FIRST, rationale=same),
        worked(copier, project, 40, 1, ranking=A_FIRST, rationale=respaced),
        worked(careful, project, 600, 2, ranking=B_FIRST, rationale="B handles the empty list; A raises IndexError."),
        worked(careful, project, 700, 1, ranking=A_FIRST, rationale="A is right here; B returns None for one item."),
    ]
    return project, copier, careful, lead, made


def test_volume_time_agreement_and_flags(scene) -> None:
    project, copier, careful, lead, made = scene
    review.review_judgment(assignment=made[0], reviewer=lead, verdict="accept")
    review.review_judgment(assignment=made[1], reviewer=lead, verdict="reject")

    rows = {r.username: r for r in annotators.annotator_stats(project)}

    c, k = rows[copier.username], rows[careful.username]
    assert (c.submitted, c.active_seconds, c.median_minutes) == (2, 70, 0.6)
    assert (c.reviewed, c.accepted, c.acceptance_rate) == (2, 1, 0.5)
    assert c.peer_agreement == 0.5 and k.peer_agreement == 0.5  # they agree on one shared task of two
    # median active time is 320 s: under max(60, 80) s is too fast
    assert c.flags == {"too_fast": 2, "copied_rationale": 2, "no_tests": 2}
    assert k.flags == {"no_tests": 2}
    assert sorted(c.flagged["copied_rationale"]) == sorted([made[0].pk, made[1].pk])


def test_the_page_sorts_filters_and_is_for_leads(client: Client, scene) -> None:
    project, copier, careful, lead, _ = scene
    client.force_login(lead)

    flagged = client.get(f"/projects/{project.slug}/annotators/?flag=copied_rationale").content.decode()
    by_time = client.get(f"/projects/{project.slug}/annotators/?sort=active_seconds&desc=1").content.decode()

    assert copier.username in flagged and careful.username not in flagged
    assert by_time.index(careful.username) < by_time.index(copier.username)
    client.force_login(careful)
    assert client.get(f"/projects/{project.slug}/annotators/").status_code == 403


def test_a_rationale_under_twice_the_minimum_is_flagged_short(annotator: User) -> None:
    project = claimable_project(annotators=[annotator], tasks=2, overlap=1, min_tests=0)  # minimum 20 characters
    worked(annotator, project, 600, 2, rationale="A works; B fails on [].")  # 23 characters: allowed, but short
    worked(annotator, project, 600, 1, rationale="A handles the empty list and the single element; B fails on both.")

    (row,) = annotators.annotator_stats(project)

    assert row.flags["short_rationale"] == 1
