"""Time on platform, from heartbeats: what annotators are paid for.

A page sends a heartbeat every HEARTBEAT_SECONDS while its tab is visible and the annotator acted
recently (or a test run is in progress). Server time decides everything: the first beat after a
silence opens an interval at that moment, each later beat extends it to its arrival, and a silence
longer than HEARTBEAT_GAP_SECONDS closes it. Beats are per annotator, so two tabs never count twice;
a beat whose sequence number is not above the last one seen from its tab is dropped. Time is
credited to the assignment the beat names, up to ASSIGNMENT_MAX_ACTIVE_SECONDS per task and
ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY per annotator and day (all projects, and time on no task). Nothing a
client says about durations is trusted.

Pay needs work: a beat carries the page's counts of key, pointer, scroll and editor events since its
last beat, and only a beat that saw some, or that arrives while one of the assignment's test runs is
still pending in the server's own records (waiting for results is work; a page's claim alone earns
nothing), earns the time since that tab's last beat (or since the annotator's last interval ended,
whichever is later). A beat without either earns nothing and moves nothing: the span it covers is never
paid, not even by the next working beat, and it does not renew the lease. An idle tab beside a working
one therefore neither adds nor cuts time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from annotation.models import ActivityInterval, Assignment, HeartbeatTab, TestResult
from annotation.work import queue
from tasks.compiled import Compiled
from tasks.db import retry_if_locked
from tasks.models import User

# Events a page counts between two beats; a beat that saw none of them shows no interaction.
EVENT_KINDS = ("keys", "pointer", "scroll", "edits")
# A run pending longer than this (a lost worker, a stuck queue) no longer pays for waiting on it.
RUN_WAIT_SECONDS = 10 * 60


def events_seen(counts: Mapping[str, int]) -> int:
    """All the events a beat reports, from a validated HeartbeatInput (a missing count is 0)."""
    return sum(counts.get(kind, 0) for kind in EVENT_KINDS)


@transaction.atomic
def record_heartbeat(
    *,
    annotator: User,
    assignment: Assignment | None,
    tab: str,
    seq: int,
    interacted: bool = True,
    now: dt.datetime | None = None,
) -> int:
    """Turn one heartbeat into active time; returns the seconds credited (0 for a dropped or idle beat).

    `interacted`: the page saw events since this tab's last beat. The page and the API always pass what
    the client sent (see beat()); the default is for scripts that model work (the demo seed, tests)."""
    now = now or timezone.now()
    state, _ = HeartbeatTab.objects.select_for_update().get_or_create(annotator=annotator, tab=tab[:64])
    if seq <= state.last_seq:
        return 0  # a duplicate, or a straggler overtaken by a later beat
    tab_last = state.updated_at if state.last_seq else None  # this tab's previous beat, if it had one
    # update(), not save(): auto_now would write the real clock, and the rule needs the beat's own time
    HeartbeatTab.objects.filter(pk=state.pk).update(last_seq=seq, updated_at=now)
    worked = interacted or run_in_flight(assignment, now=now)
    if worked and assignment is not None:
        queue.renew_lease(assignment=assignment, now=now)
    last = ActivityInterval.objects.select_for_update().filter(annotator=annotator).order_by("-ended_at").first()
    last_end = None if last is None else last.ended_at
    start = span_start(last_end=last_end, tab_last=tab_last)
    seconds = beat_credit(
        start=start,
        now=now,
        gap_seconds=settings.HEARTBEAT_GAP_SECONDS,
        room=None if assignment is None else settings.ASSIGNMENT_MAX_ACTIVE_SECONDS - assignment.active_seconds,
        day_room=room_today(annotator, now) if worked else 0,
        worked=worked,
    )
    if seconds is None:  # opens an interval here: the next beat is paid from this one
        ActivityInterval.objects.create(annotator=annotator, assignment=assignment, started_at=now, ended_at=now)
        return 0
    if seconds <= 0 or start is None:
        return 0
    if assignment is not None:
        Assignment.objects.filter(pk=assignment.pk).update(active_seconds=F("active_seconds") + seconds)
        assignment.active_seconds += seconds
    end = start + dt.timedelta(seconds=seconds)
    if last is not None and last.ended_at == start and last.assignment_id == (assignment.pk if assignment else None):
        last.ended_at = end
        last.save(update_fields=["ended_at"])
    else:  # another task, or a span after an idle beat: an interval of its own, from where the span starts
        ActivityInterval.objects.create(annotator=annotator, assignment=assignment, started_at=start, ended_at=end)
    return seconds


def run_in_flight(assignment: Assignment | None, *, now: dt.datetime) -> bool:
    """One of the assignment's test runs is still waiting for the sandbox (started in the last
    RUN_WAIT_SECONDS): the server's own record, never the page's word."""
    if assignment is None:
        return False
    return TestResult.objects.filter(
        test_run__assignment=assignment,
        test_run__created_at__gte=now - dt.timedelta(seconds=RUN_WAIT_SECONDS),
        status__in=TestResult.PENDING,
    ).exists()


def room_today(annotator: User, now: dt.datetime) -> int:
    """Seconds the annotator may still earn today (platform time zone), across every project."""
    day, _ = day_and_week_start(timezone.localtime(now))
    return settings.ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY - active_seconds(annotator=annotator, start=day, end=now)


def span_start(*, last_end: dt.datetime | None, tab_last: dt.datetime | None) -> dt.datetime | None:
    """Where the time a beat may earn begins: at the later of the annotator's last interval end (so two
    tabs never count twice) and this tab's previous beat (what the beat's events vouch for); None when
    neither is known."""
    if last_end is None or (tab_last is not None and tab_last > last_end):
        return tab_last
    return last_end


def beat_credit(
    *,
    start: dt.datetime | None,
    now: dt.datetime,
    gap_seconds: int,
    room: int | None,
    day_room: int,
    worked: bool,
) -> int | None:
    """The pure rule of a heartbeat. A beat that shows no work (no events, no run in flight) earns 0 and
    changes nothing. Otherwise None when it opens a new interval at `now` (nothing to continue, a silence
    over `gap_seconds` since `start`, or a clock that went back before `start`), else the whole seconds
    since `start`, cut to `room` (what the assignment may still earn; None: no assignment, no cap) and to
    `day_room` (what the annotator may still earn today), never < 0."""
    if not worked:
        return 0
    if start is None or now - start > dt.timedelta(seconds=gap_seconds) or now < start:
        return None
    seconds = min(int((now - start).total_seconds()), day_room)
    return max(0, seconds if room is None else min(seconds, room))


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


# Read on every workspace page (its time counter), compiled once per connection (tasks/compiled.py).
_WEEK_INTERVALS: Compiled[tuple[dt.datetime, dt.datetime]] = Compiled(
    lambda annotator, week, now: ActivityInterval.objects.filter(
        annotator_id=annotator, ended_at__gt=week, started_at__lt=now
    ).values_list("started_at", "ended_at"),
    annotator=int,
    week=dt.datetime,
    now=dt.datetime,
)


def today_and_week(*, annotator: User, now: dt.datetime | None = None) -> tuple[int, int]:
    """Active seconds today and this week (Monday first), in the platform's time zone."""
    now = timezone.localtime(now or timezone.now())
    day, week = day_and_week_start(now)
    rows = _WEEK_INTERVALS.all(annotator=annotator.pk, week=week, now=now)
    today = this_week = 0.0
    for started, ended in rows:  # one read for both: today's intervals are this week's
        today += max(0.0, overlap_seconds(started, ended, start=day, end=now))  # earlier this week: none today
        this_week += overlap_seconds(started, ended, start=week, end=now)
    return int(today), int(this_week)


def beat(
    *,
    annotator: User,
    assignment: Assignment | None,
    tab: str,
    seq: int,
    events: int,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """A heartbeat from the page or the API with the `events` the page saw since its last beat: credit it
    (to the assignment only while it is active) and answer with the seconds credited and the annotator's
    totals for today and this week."""
    if assignment is not None and assignment.status != Assignment.Status.ACTIVE:
        assignment = None
    credited = retry_if_locked(  # an import may hold SQLite's write lock for a moment
        lambda: record_heartbeat(
            annotator=annotator,
            assignment=assignment,
            tab=tab[:64] or "default",
            seq=seq,
            interacted=events > 0,
            now=now,
        )
    )
    today, week = today_and_week(annotator=annotator, now=now)
    return {"credited": credited, "today_seconds": today, "week_seconds": week}
