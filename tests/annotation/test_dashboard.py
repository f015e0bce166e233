"""The lead's dashboard: progress against overlap, judgments per day, time and cost, review backlog."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import timezone

from annotation.quality import dashboard
from annotation.review import services as review
from tasks import services
from tasks.models import Role
from tests.conftest import make_user


def test_it_counts_progress_per_day_and_backlog(judged) -> None:
    project, _ = judged
    lead = make_user("d-lead")
    services.add_member(project=project, user=lead, role=Role.LEAD)
    first = project.tasks.get(external_id="nway").assignments.filter(status="submitted").first()
    review.review_judgment(assignment=first, reviewer=lead, verdict="accept")

    d = dashboard.dashboard(project)

    assert (d.tasks, d.judgments_needed, d.judgments_submitted) == (3, 9, 7)
    assert d.tasks_done == 1 and d.percent == 77
    assert d.per_day[-1] == (timezone.localdate(), 7) and sum(n for _, n in d.per_day) == 7
    assert (d.review_backlog, d.accepted, d.rejected) == (6, 1, 0)
    assert d.cost == Decimal("0.00")  # nobody sent a heartbeat in this test


def test_the_page_is_for_reviewers_and_leads(client: Client, judged) -> None:
    project, people = judged
    lead = make_user("d-lead2")
    services.add_member(project=project, user=lead, role=Role.LEAD)
    client.force_login(lead)

    page = client.get(f"/projects/{project.slug}/dashboard/").content.decode()

    assert "7 of 9 judgments" in page and page.count("<rect") == 14
    client.force_login(people[0])
    assert client.get(f"/projects/{project.slug}/dashboard/").status_code == 403


def test_the_quality_api_for_scripts(client: Client, judged) -> None:
    from rest_framework.authtoken.models import Token

    project, people = judged
    lead = make_user("d-lead3")
    services.add_member(project=project, user=lead, role=Role.LEAD)
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=lead)[0].key}"}
    mine = {"Authorization": f"Token {Token.objects.get_or_create(user=people[0])[0].key}"}

    board = client.get(f"/api/v1/projects/{project.slug}/dashboard", headers=auth).json()
    figures = client.get(f"/api/v1/projects/{project.slug}/quality", headers=auth).json()
    annotators = client.get(f"/api/v1/projects/{project.slug}/annotators", headers=auth).json()
    own = client.get(f"/api/v1/projects/{project.slug}/timesheet", headers=mine).json()

    assert board["judgments_submitted"] == 7 and board["percent"] == 77
    assert [m["model"] for m in figures["models"]] == ["gamma", "alpha", "beta"] and figures[
        "preference_agreement"
    ] == 0.0
    assert sorted(a["annotator"] for a in annotators) == ["q-0", "q-1", "q-2"]
    assert own["lines"] == []  # no heartbeats in this scene; and only their own line could show
    assert client.get(f"/api/v1/projects/{project.slug}/annotators", headers=mine).status_code == 403
