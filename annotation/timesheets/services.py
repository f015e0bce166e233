"""Timesheets: active time per annotator, project and week, from activity intervals, and what it costs.

Measured time is never edited; a lead's adjustment is a separate signed entry with a reason. Weeks
start on Monday in the platform's time zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Sum
from django.utils import timezone

from annotation.models import ActivityInterval, TimesheetAdjustment
from annotation.work import activity
from tasks.models import Project, User


@dataclass
class Line:
    annotator: str
    annotator_id: int
    measured_seconds: int
    adjustment_seconds: int
    rate: Decimal

    @property
    def total_seconds(self) -> int:
        return max(0, self.measured_seconds + self.adjustment_seconds)

    @property
    def amount(self) -> Decimal:
        hours = Decimal(self.total_seconds) / Decimal(3600)
        return (hours * self.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_of(raw: str | None, *, today: dt.date) -> dt.date:
    """The Monday of the week `raw` (any day of it, YYYY-MM-DD) falls in; `today`'s week when blank.
    ValueError, with a message for people, for anything else, dates too far out to have a week included."""
    if not raw:
        return monday(today)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"week must be a date as YYYY-MM-DD, got {raw[:40]!r}") from None
    if not dt.date(1900, 1, 8) <= day <= dt.date(9999, 12, 20):
        raise ValueError("week must be a date between 1900-01-08 and 9999-12-20")
    return monday(day)


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(monday(week_start), dt.time.min))
    return start, start + dt.timedelta(days=7)


def measured(*, project: Project, week_start: dt.date, annotator: User | None = None) -> dict[int, int]:
    """Active seconds per annotator on this project's tasks in the week (intervals clipped to it)."""
    start, end = week_bounds(week_start)
    intervals = ActivityInterval.objects.filter(assignment__task__project=project)
    if annotator is not None:
        intervals = intervals.filter(annotator=annotator)
    return activity.seconds_by_annotator(intervals, start=start, end=end)


def week(*, project: Project, week_start: dt.date, annotator: User | None = None) -> list[Line]:
    """The week's lines, one per annotator with time or an adjustment."""
    start = monday(week_start)
    times = measured(project=project, week_start=start, annotator=annotator)
    adjustments = TimesheetAdjustment.objects.filter(project=project, week_start=start)
    if annotator is not None:
        adjustments = adjustments.filter(annotator=annotator)
    adjusted = dict(adjustments.values("annotator").annotate(s=Sum("seconds")).values_list("annotator", "s"))
    ids = sorted(set(times) | set(adjusted))
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    return sorted(
        (Line(names[i], i, times.get(i, 0), int(adjusted.get(i) or 0), project.pay_rate_per_hour) for i in ids),
        key=lambda line: line.annotator,
    )


MAX_ADJUSTMENT_SECONDS = 7 * 24 * 3600  # a week: no correction of one week can be larger


def hours_to_seconds(raw: str | None) -> int:
    """The adjustment form's "hours" (e.g. 1.5 or -0.25) as whole seconds. ValueError, naming the field,
    for what is not a finite number of hours within a week either way ("Infinity", "NaN", "1e999")."""
    text = (raw or "").strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"hours must be a number such as 1.5 or -0.25, not {text[:40]!r}") from None
    if not hours.is_finite():
        raise ValueError(f"hours must be a finite number, not {text[:40]!r}")
    limit = MAX_ADJUSTMENT_SECONDS // 3600
    if abs(hours) > limit:
        raise ValueError(f"hours must be between -{limit} and {limit} (a week), not {text[:40]}")
    return int(hours * 3600)


def adjust(
    *, project: Project, annotator: User, week_start: dt.date, seconds: int, reason: str, by: User
) -> TimesheetAdjustment:
    """Add a signed correction with a reason; the measured time stays as it was."""
    reason = reason.strip()
    if not reason:
        raise ValueError("say why you adjust this week")
    if seconds == 0:
        raise ValueError("an adjustment of zero changes nothing")
    if abs(seconds) > MAX_ADJUSTMENT_SECONDS:
        raise ValueError(f"an adjustment is at most {MAX_ADJUSTMENT_SECONDS // 3600} hours (a week) either way")
    return TimesheetAdjustment.objects.create(
        project=project,
        annotator=annotator,
        week_start=monday(week_start),
        seconds=seconds,
        reason=reason[:2000],
        created_by=by,
    )


def to_csv(project: Project, week_start: dt.date, lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "project",
            "week_start",
            "annotator",
            "measured_hours",
            "adjustment_hours",
            "total_hours",
            "rate_per_hour",
            "amount_due",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                project.slug,
                monday(week_start).isoformat(),
                line.annotator,
                f"{line.measured_seconds / 3600:.4f}",
                f"{line.adjustment_seconds / 3600:.4f}",
                f"{line.total_seconds / 3600:.4f}",
                f"{line.rate:.2f}",
                f"{line.amount:.2f}",
            ]
        )
    return out.getvalue()
