"""Timesheets: totals equal the activity intervals, adjustments stay apart, CSV, and who sees what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import ActivityInterval
from annotation.timesheets import services as timesheets
from annotation.work import activity, queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, heartbeats

MONDAY = dt.date(2026, 11, 16)
T0 = timezone.make_aware(dt.datetime(2026, 11, 18, 9, 0))


def work(user: User, project: Project, seconds: list[int], tab: str) -> None:
    assignment = queue.claim_next_assignment(project=project, annotator=user, now=T0)
    for seq, offset in enumerate(seconds, start=1):
        activity.record_heartbeat(
            annotator=user, assignment=assignment, tab=tab, seq=seq, now=T0 + dt.timedelta(seconds=offset)
        )


@pytest.fixture
def team(annotator: User, annotator2: User, lead: User) -> tuple[Project, User, User, User]:
    ann, ann2 = annotator, annotator2
    project = claimable_project(annotators=[ann, ann2])
    project.pay_rate_per_hour = Decimal("30.00")
    project.save(update_fields=["pay_rate_per_hour"])
    services.add_member(project=project, user=lead, role=Role.LEAD)
    work(ann, project, [0, 20, 40, 60, 1800, 1820, 1840], "a")  # 60 s, a long silence, then 40 s
    work(ann2, project, list(range(0, 3601, 20)), "b")  # one hour
    return project, ann, ann2, lead


def test_the_totals_equal_the_sum_of_the_activity_intervals(team) -> None:
    project, ann, ann2, _ = team

    lines = {line.annotator: line for line in timesheets.week(project=project, week_start=MONDAY)}

    for user in (ann, ann2):
        intervals = ActivityInterval.objects.filter(annotator=user)
        assert lines[user.username].measured_seconds == sum(
            int((i.ended_at - i.started_at).total_seconds()) for i in intervals
        )
    assert lines[ann.username].measured_seconds == 100
    assert (lines[ann2.username].measured_seconds, lines[ann2.username].amount) == (3600, Decimal("30.00"))


def test_an_adjustment_is_kept_apart_from_the_measured_time(team) -> None:
    project, ann, _, lead = team

    timesheets.adjust(
        project=project, annotator=ann, week_start=MONDAY, seconds=1800, reason="call with the lead", by=lead
    )
    line = next(x for x in timesheets.week(project=project, week_start=MONDAY) if x.annotator == ann.username)

    assert (line.measured_seconds, line.adjustment_seconds, line.total_seconds) == (100, 1800, 1900)
    assert line.amount == Decimal("15.83")
    with pytest.raises(ValueError, match="say why"):
        timesheets.adjust(project=project, annotator=ann, week_start=MONDAY, seconds=60, reason=" ", by=lead)


def test_the_lead_downloads_a_csv_and_annotators_see_only_their_own_line(client: Client, team, outsider: User) -> None:
    """Catches the annotator's page showing everyone's lines, or an outsider reaching the timesheet."""
    project, ann, ann2, lead = team
    client.force_login(lead)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/projects/{project.slug}/timesheet/?week=2026-11-18&format=csv").content.decode())
        )
    )

    assert [(r["annotator"], r["total_hours"], r["amount_due"]) for r in rows] == [
        (ann.username, "0.0278", "0.83"),
        (ann2.username, "1.0000", "30.00"),
    ]
    client.force_login(ann)
    own = client.get(f"/projects/{project.slug}/timesheet/?week=2026-11-18").content.decode()
    assert f"{ann.username}<" in own and ann2.username not in own
    assert (
        client.post(
            f"/projects/{project.slug}/timesheet/", {"hours": "5", "reason": "me", "annotator": ann.pk}
        ).status_code
        == 403
    )
    client.force_login(outsider)
    assert client.get(f"/projects/{project.slug}/timesheet/").status_code == 404


def test_the_lead_adjusts_through_the_page(client: Client, team) -> None:
    project, ann, _, lead = team
    client.force_login(lead)

    client.post(
        f"/projects/{project.slug}/timesheet/",
        {"week": "2026-11-16", "annotator": ann.pk, "hours": "-0.25", "reason": "duplicate tab"},
    )

    line = next(x for x in timesheets.week(project=project, week_start=MONDAY) if x.annotator == ann.username)
    assert line.adjustment_seconds == -900 and line.total_seconds == 0  # never below zero


def test_time_on_another_project_stays_out_of_this_projects_week(team) -> None:
    """Catches the week's measured time taken from all of an annotator's intervals, not this project's."""
    project, ann, _, _ = team
    elsewhere = claimable_project(annotators=[ann])
    assignment = queue.claim_next_assignment(project=elsewhere, annotator=ann, now=T0 + dt.timedelta(hours=2))
    heartbeats(ann, assignment, 600, end=T0 + dt.timedelta(hours=2, minutes=10))  # same week, other project

    here = {x.annotator: x.measured_seconds for x in timesheets.week(project=project, week_start=MONDAY)}
    there = {x.annotator: x.measured_seconds for x in timesheets.week(project=elsewhere, week_start=MONDAY)}

    assert here[ann.username] == 100 and there == {ann.username: 600}


@pytest.mark.parametrize("week", ["garbage", "9999-12-31", "0001-01-01", "2026-13-01"])
def test_a_week_the_timesheet_cannot_show_is_a_400_in_the_api_and_this_week_on_the_page(
    client: Client, team, week: str
) -> None:
    project, _, _, lead = team
    client.force_login(lead)

    api = client.get(f"/api/v1/projects/{project.slug}/timesheet", {"week": week})
    page = client.get(f"/projects/{project.slug}/timesheet/", {"week": week})

    assert api.status_code == 400 and "week must be a date" in api.json()["detail"]
    assert page.status_code == 200
    assert timesheets.monday(timezone.localdate()).isoformat() in page.content.decode()


def test_any_day_of_a_week_gives_its_monday() -> None:
    today = dt.date(2026, 12, 2)

    assert timesheets.week_of("2026-11-22", today=today) == dt.date(2026, 11, 16)
    assert timesheets.week_of("", today=today) == dt.date(2026, 11, 30)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        timesheets.week_of("22/11/2026", today=today)
