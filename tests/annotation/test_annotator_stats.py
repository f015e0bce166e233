"""Annotator stats and their flags, on judgments built through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from annotation.models import Assignment
from annotation.quality import annotators
from annotation.review import services as review
from annotation.work import judging, queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, make_user

RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


def submit(user: User, project: Project, first: int, rationale: str, seconds: int) -> Assignment:
    assignment = queue.claim_next_assignment(project=project, annotator=user)
    labels = sorted(assignment.response_order)
    data = {
        "ranking": [[labels[first]], [labels[1 - first]]],
        "ratings": {x: dict.fromkeys(RUBRIC, 3) for x in labels},
        "rationale": rationale,
    }
    judging.save_draft(assignment=assignment, data=data)
    judging.submit_judgment(assignment=assignment, data=data)
    Assignment.objects.filter(pk=assignment.pk).update(active_seconds=seconds)  # as heartbeats would have credited
    return assignment


@pytest.fixture
def scene(db: None) -> tuple[Project, User, User, User, list[Assignment]]:
    copier, careful, lead = make_user("st-copier"), make_user("st-careful"), make_user("st-lead")
    project = claimable_project(annotators=[copier, careful], tasks=2, overlap=2)
    project.min_tests = 0
    project.save(update_fields=["min_tests"])
    services.add_member(project=project, user=lead, role=Role.LEAD)
    same = "A is correct on every input I tried; B fails."
    made = [
        submit(copier, project, 0, same, 30),
        submit(copier, project, 0, "  a is correct on every input I tried;  B fails. ", 40),  # the same, respaced
        submit(careful, project, 1, "B handles the empty list; A raises IndexError there.", 600),
        submit(careful, project, 0, "A is right here; B returns None for a single element.", 700),
    ]
    return project, copier, careful, lead, made


def test_volume_time_agreement_and_flags(scene) -> None:
    project, _copier, _careful, lead, made = scene
    review.review_judgment(assignment=made[0], reviewer=lead, verdict="accept")
    review.review_judgment(assignment=made[1], reviewer=lead, verdict="reject")

    rows = {r.username: r for r in annotators.annotator_stats(project)}

    c, k = rows["st-copier"], rows["st-careful"]
    assert (c.submitted, c.active_seconds, c.median_minutes) == (2, 70, 0.6)
    assert (c.reviewed, c.accepted, c.acceptance_rate) == (2, 1, 0.5)
    assert c.peer_agreement == 0.5 and k.peer_agreement == 0.5  # they agree on one shared task of two
    # median active time is 320 s: under max(60, 80) s is too fast
    assert c.flags == {"too_fast": 2, "copied_rationale": 2, "no_tests": 2}
    assert k.flags == {"no_tests": 2}
    assert sorted(c.flagged["copied_rationale"]) == sorted([made[0].pk, made[1].pk])


def test_the_page_sorts_filters_and_is_for_leads(client: Client, scene) -> None:
    project, _copier, careful, lead, _ = scene
    client.force_login(lead)

    flagged = client.get(f"/projects/{project.slug}/annotators/?flag=copied_rationale").content.decode()
    by_time = client.get(f"/projects/{project.slug}/annotators/?sort=active_seconds&desc=1").content.decode()

    assert "st-copier" in flagged and "st-careful" not in flagged
    assert by_time.index("st-careful") < by_time.index("st-copier")
    client.force_login(careful)
    assert client.get(f"/projects/{project.slug}/annotators/").status_code == 403


def test_a_rationale_under_twice_the_minimum_is_flagged_short(db: None) -> None:
    terse = make_user("st-terse")
    project = claimable_project(annotators=[terse], tasks=2, overlap=1)  # minimum 20 characters
    project.min_tests = 0
    project.save(update_fields=["min_tests"])
    submit(terse, project, 0, "A works; B fails on [].", 600)  # 23 characters: allowed, but short
    submit(terse, project, 0, "A handles the empty list and the single element; B fails on both.", 600)

    (row,) = annotators.annotator_stats(project)

    assert row.flags["short_rationale"] == 1
