"""The lead's dashboard: progress against overlap, judgments per day, time and cost, review backlog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from annotation.quality import dashboard
from annotation.review import services as review
from annotation.work import queue
from tasks import services
from tasks.models import Role, User
from tests.conftest import claimable_project, heartbeats


def test_it_counts_progress_per_day_and_backlog(judged, lead: User) -> None:
    project, _ = judged
    services.add_member(project=project, user=lead, role=Role.LEAD)
    first = project.tasks.get(external_id="nway").assignments.filter(status="submitted").first()
    review.review_judgment(assignment=first, reviewer=lead, verdict="accept")

    d = dashboard.dashboard(project)

    assert (d.tasks, d.judgments_needed, d.judgments_submitted) == (3, 9, 7)
    assert d.tasks_done == 1 and d.percent == 77
    assert d.per_day[-1] == (timezone.localdate(), 7) and sum(n for _, n in d.per_day) == 7
    assert (d.review_backlog, d.accepted, d.rejected) == (6, 1, 0)


def test_time_and_cost_are_this_projects_hours_at_its_rate(annotator: User, annotator2: User) -> None:
    """Catches the cost without the rate, one annotator's time only, or time on another project or on
    no task counted: 1800 s + 1260 s here = 0.85 h at 30.00 = 25.50."""
    project = claimable_project(annotators=[annotator, annotator2])
    project.pay_rate_per_hour = Decimal("30.00")
    project.save(update_fields=["pay_rate_per_hour"])
    elsewhere = claimable_project(annotators=[annotator])
    here, here2 = (queue.claim_next_assignment(project=project, annotator=u) for u in (annotator, annotator2))
    there = queue.claim_next_assignment(project=elsewhere, annotator=annotator)
    now = timezone.now()
    heartbeats(annotator, here, 1800, end=now - dt.timedelta(seconds=700))
    heartbeats(annotator, there, 600, end=now)  # another project's time
    heartbeats(annotator2, None, 600, end=now - dt.timedelta(seconds=1400))  # on the platform, on no task
    heartbeats(annotator2, here2, 1260, end=now)

    d = dashboard.dashboard(project)

    assert d.active_seconds == 1800 + 1260
    assert d.cost == Decimal("25.50")  # (3060 / 3600) h x 30.00 per hour
    assert d.in_progress == 2


def test_the_page_is_for_reviewers_and_leads(client: Client, judged, lead: User, reviewer: User) -> None:
    project, people = judged
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    client.force_login(lead)

    page = client.get(f"/projects/{project.slug}/dashboard/").content.decode()

    assert "7 of 9 judgments" in page and page.count("<rect") == 14
    client.force_login(reviewer)
    assert client.get(f"/projects/{project.slug}/dashboard/").status_code == 200
    client.force_login(people[0])
    assert client.get(f"/projects/{project.slug}/dashboard/").status_code == 403


def test_the_quality_api_for_scripts(client: Client, judged, lead: User, annotator: User, annotator2: User) -> None:
    """Besides the figures, catches an annotator's timesheet over the API showing another annotator's line."""
    from rest_framework.authtoken.models import Token

    project, people = judged
    services.add_member(project=project, user=lead, role=Role.LEAD)
    for user, seconds in ((annotator, 600), (annotator2, 300)):  # two more annotators, at work on the project
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
        heartbeats(user, queue.claim_next_assignment(project=project, annotator=user), seconds)
    week = {"week": timezone.localdate().isoformat()}
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=lead)[0].key}"}
    mine = {"Authorization": f"Token {Token.objects.get_or_create(user=annotator)[0].key}"}
    theirs = {"Authorization": f"Token {Token.objects.get_or_create(user=people[0])[0].key}"}

    board = client.get(f"/api/v1/projects/{project.slug}/dashboard", headers=auth).json()
    figures = client.get(f"/api/v1/projects/{project.slug}/quality", headers=auth).json()
    annotators = client.get(f"/api/v1/projects/{project.slug}/annotators", headers=auth).json()
    own = client.get(f"/api/v1/projects/{project.slug}/timesheet", week, headers=mine).json()
    everyone = client.get(f"/api/v1/projects/{project.slug}/timesheet", week, headers=auth).json()

    assert board["judgments_submitted"] == 7 and board["percent"] == 77
    assert [m["model"] for m in figures["models"]] == ["gamma", "alpha", "beta"] and figures[
        "preference_agreement"
    ] == 0.0
    assert sorted(a["annotator"] for a in annotators) == ["q-0", "q-1", "q-2"]
    assert [line["annotator"] for line in everyone["lines"]] == [annotator.username, annotator2.username]
    assert [line["annotator"] for line in own["lines"]] == [annotator.username]
    assert client.get(f"/api/v1/projects/{project.slug}/annotators", headers=theirs).status_code == 403
