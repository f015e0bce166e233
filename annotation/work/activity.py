"""Time on platform, from heartbeats: what annotators are paid for.

A page sends a heartbeat every HEARTBEAT_SECONDS while its tab is visible and the annotator acted
recently (or a test run is in progress). Server time decides everything: the first beat after a
silence opens an interval at that moment, each later beat extends it to its arrival, and a silence
longer than HEARTBEAT_GAP_SECONDS closes it. Beats are per annotator, so two tabs never count twice;
a beat whose sequence number is not above the last one seen from its tab is dropped. Time is
credited to the assignment the beat names, up to ASSIGNMENT_MAX_ACTIVE_SECONDS per task. Nothing a
client says about durations is trusted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from annotation.models import ActivityInterval, Assignment, HeartbeatTab
from annotation.work import queue
from tasks.models import User


@transaction.atomic
def record_heartbeat(
    *, annotator: User, assignment: Assignment | None, tab: str, seq: int, now: dt.datetime | None = None
) -> int:
    """Turn one heartbeat into active time; returns the seconds credited (0 for a dropped beat)."""
    now = now or timezone.now()
    state, _ = HeartbeatTab.objects.select_for_update().get_or_create(annotator=annotator, tab=tab[:64])
    if seq <= state.last_seq:
        return 0  # a duplicate, or a straggler overtaken by a later beat
    state.last_seq = seq
    state.save(update_fields=["last_seq", "updated_at"])
    if assignment is not None:
        queue.renew_lease(assignment=assignment, now=now)
    last = ActivityInterval.objects.select_for_update().filter(annotator=annotator).order_by("-ended_at").first()
    room = None if assignment is None else settings.ASSIGNMENT_MAX_ACTIVE_SECONDS - assignment.active_seconds
    seconds = beat_credit(
        last_end=None if last is None else last.ended_at,
        now=now,
        gap_seconds=settings.HEARTBEAT_GAP_SECONDS,
        room=room,
    )
    if last is None or seconds is None:
        ActivityInterval.objects.create(annotator=annotator, assignment=assignment, started_at=now, ended_at=now)
        return 0
    if assignment is not None and seconds:
        Assignment.objects.filter(pk=assignment.pk).update(active_seconds=F("active_seconds") + seconds)
        assignment.active_seconds += seconds
    if seconds <= 0:
        return 0
    end = last.ended_at + dt.timedelta(seconds=seconds)
    if last.assignment_id == (assignment.pk if assignment else None):
        last.ended_at = end
        last.save(update_fields=["ended_at"])
    else:  # moved on to another task: its time starts where the last interval ended
        ActivityInterval.objects.create(
            annotator=annotator, assignment=assignment, started_at=last.ended_at, ended_at=end
        )
    return seconds


def beat_credit(*, last_end: dt.datetime | None, now: dt.datetime, gap_seconds: int, room: int | None) -> int | None:
    """The pure rule of a heartbeat: None when it opens a new interval at `now` (the first beat, a silence
    over `gap_seconds`, or a beat from before the last interval's end), else the whole seconds since
    `last_end`, cut to `room` (what the assignment may still earn; None: no assignment, no cap), never < 0."""
    if last_end is None or now - last_end > dt.timedelta(seconds=gap_seconds) or now < last_end:
        return None
    seconds = int((now - last_end).total_seconds())
    return seconds if room is None else max(0, min(seconds, room))


def overlap_seconds(started: dt.datetime, ended: dt.datetime, *, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of [started, ended] inside [start, end) (negative when they do not meet: callers filter)."""
    return (min(ended, end) - max(started, start)).total_seconds()


def day_and_week_start(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Midnight of `now`'s day and of the Monday of its week, in `now`'s own time zone."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day - dt.timedelta(days=day.weekday())


def active_seconds(*, annotator: User, start: dt.datetime, end: dt.datetime) -> int:
    """Active seconds of the annotator between `start` and `end`, from their intervals."""
    intervals = ActivityInterval.objects.filter(annotator=annotator)
    return seconds_by_annotator(intervals, start=start, end=end).get(annotator.pk, 0)


def seconds_by_annotator(
    intervals: QuerySet[ActivityInterval], *, start: dt.datetime, end: dt.datetime
) -> dict[int, int]:
    """Active seconds per annotator of these intervals, each clipped to [start, end)."""
    seconds: dict[int, float] = {}
    rows = intervals.filter(ended_at__gt=start, started_at__lt=end).values_list(
        "annotator_id", "started_at", "ended_at"
    )
    for user_id, started, ended in rows:
        seconds[user_id] = seconds.get(user_id, 0.0) + overlap_seconds(started, ended, start=start, end=end)
    return {user_id: int(value) for user_id, value in seconds.items()}


def today_and_week(*, annotator: User, now: dt.datetime | None = None) -> tuple[int, int]:
    """Active seconds today and this week (Monday first), in the platform's time zone."""
    now = timezone.localtime(now or timezone.now())
    day, week = day_and_week_start(now)
    return active_seconds(annotator=annotator, start=day, end=now), active_seconds(
        annotator=annotator, start=week, end=now
    )


def beat(*, annotator: User, assignment: Assignment | None, tab: str, seq: int) -> dict[str, int]:
    """A heartbeat from the page or the API: credit it (to the assignment only while it is active)
    and answer with the seconds credited and the annotator's totals for today and this week."""
    if assignment is not None and assignment.status != Assignment.Status.ACTIVE:
        assignment = None
    credited = record_heartbeat(annotator=annotator, assignment=assignment, tab=tab[:64] or "default", seq=seq)
    today, week = today_and_week(annotator=annotator)
    return {"credited": credited, "today_seconds": today, "week_seconds": week}
