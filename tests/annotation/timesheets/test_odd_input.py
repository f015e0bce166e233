"""The timesheet's adjustment form and week parameter with odd input: a 400 naming the field, nothing
stored (issue 11, finding 6). A ?week= the page cannot show: tests/annotation/timesheets/test_timesheets.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import TimesheetAdjustment
from annotation.timesheets import services as timesheets
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, make_user


@pytest.fixture
def sheet(lead: User, annotator: User) -> Project:
    project = claimable_project(annotators=[annotator])
    services.add_member(project=project, user=lead, role=Role.LEAD)
    return project


def adjust(client: Client, project: Project, **form: object) -> tuple[int, str]:
    answer = client.post(f"/projects/{project.slug}/timesheet/", form)
    return answer.status_code, answer.content.decode()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("Infinity", "hours must be a finite number, not &#x27;Infinity&#x27;"),
        ("-inf", "hours must be a finite number"),
        ("NaN", "hours must be a finite number"),
        ("sNaN", "hours must be a finite number"),
        ("1e999", "hours must be between -168 and 168 (a week)"),
        ("10000", "hours must be between -168 and 168 (a week)"),
        ("-168.5", "hours must be between -168 and 168 (a week)"),
        ("abc", "hours must be a number such as 1.5 or -0.25"),
        ("", "hours must be a number such as 1.5 or -0.25"),
    ],
)
def test_hours_that_are_not_a_finite_sensible_number_are_refused_naming_hours(
    client: Client, lead: User, annotator: User, sheet: Project, hours: str, message: str
) -> None:
    """Finding 6: "Infinity" was an OverflowError (500) in int(hours * 3600), "1e999" a database overflow."""
    client.force_login(lead)

    status, page = adjust(client, sheet, annotator=annotator.pk, hours=hours, reason="odd")

    assert status == 400
    assert message in page
    assert not TimesheetAdjustment.objects.exists()


def test_a_whole_week_either_way_is_still_accepted(client: Client, lead: User, annotator: User, sheet: Project) -> None:
    client.force_login(lead)

    assert adjust(client, sheet, annotator=annotator.pk, hours="-168", reason="a week off the books")[0] == 302
    assert TimesheetAdjustment.objects.get().seconds == -168 * 3600


@pytest.mark.parametrize("who", ["²", "abc", "", "-1", "outsider"])
def test_an_annotator_that_is_not_a_member_id_is_refused_naming_annotator(
    client: Client, lead: User, sheet: Project, who: str
) -> None:
    client.force_login(lead)
    if who == "outsider":
        who = str(make_user("not-a-member").pk)

    status, page = adjust(client, sheet, annotator=who, hours="1", reason="odd")

    assert status == 400
    assert "annotator must be one of this project&#x27;s members" in page
    assert not TimesheetAdjustment.objects.exists()


@pytest.mark.parametrize("week", ["garbage", "9999-12-31", "2026-13-01"])
def test_an_adjustment_for_a_week_that_cannot_be_shown_is_refused_not_moved_to_this_week(
    client: Client, lead: User, annotator: User, sheet: Project, week: str
) -> None:
    """The page shows this week for such a week; an adjustment landing there would pay the wrong week."""
    client.force_login(lead)

    status, page = adjust(client, sheet, annotator=annotator.pk, hours="1", reason="odd", week=week)

    assert status == 400
    assert "week must be a date" in page
    assert not TimesheetAdjustment.objects.exists()


def test_the_csv_of_a_week_that_cannot_be_shown_is_this_weeks(client: Client, lead: User, sheet: Project) -> None:
    client.force_login(lead)

    answer = client.get(f"/projects/{sheet.slug}/timesheet/", {"week": "9999-12-31", "format": "csv"})

    this_week = timesheets.monday(timezone.localdate()).isoformat()
    assert answer.status_code == 200
    assert f"timesheet-{this_week}.csv" in answer["Content-Disposition"]


def test_the_service_refuses_an_adjustment_over_a_week(lead: User, annotator: User, sheet: Project) -> None:
    with pytest.raises(ValueError, match="at most 168 hours"):
        timesheets.adjust(
            project=sheet,
            annotator=annotator,
            week_start=dt.date(2026, 11, 16),
            seconds=10**12,
            reason="typo",
            by=lead,
        )
    assert not TimesheetAdjustment.objects.exists()
