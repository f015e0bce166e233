"""The pure rules of time on platform (annotation/work/activity.py): what one heartbeat earns (only when it
shows work, within the task's and the day's caps), where its span starts, how an interval is clipped to a
period, where today and this week start. No database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from annotation.work.activity import beat_credit, day_and_week_start, events_seen, overlap_seconds, span_start

T0 = dt.datetime(2026, 3, 4, 10, 0, 0, tzinfo=dt.UTC)  # a Wednesday


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def credit(
    *,
    start: dt.datetime | None,
    now: dt.datetime,
    gap_seconds: int = 45,
    room: int | None = None,
    day_room: int = 10 * 3600,
    worked: bool = True,
) -> int | None:
    """beat_credit for a beat that shows work, with the whole day still open unless a test says otherwise."""
    return beat_credit(start=start, now=now, gap_seconds=gap_seconds, room=room, day_room=day_room, worked=worked)


def test_the_first_beat_opens_an_interval() -> None:
    assert credit(start=None, now=T0, gap_seconds=45, room=None) is None
    assert credit(start=None, now=T0, gap_seconds=45, room=100) is None


def test_a_beat_within_the_gap_earns_the_whole_seconds_since_the_last_end() -> None:
    assert credit(start=T0, now=at(20), gap_seconds=45, room=None) == 20
    assert credit(start=T0, now=at(20.9), gap_seconds=45, room=None) == 20  # whole seconds, cut down
    assert credit(start=T0, now=at(0.5), gap_seconds=45, room=None) == 0


def test_a_silence_of_exactly_the_gap_is_still_paid_and_one_longer_is_not() -> None:
    assert credit(start=T0, now=at(45), gap_seconds=45, room=None) == 45
    assert credit(start=T0, now=at(45.5), gap_seconds=45, room=None) is None
    assert credit(start=T0, now=at(46), gap_seconds=45, room=None) is None
    assert credit(start=T0, now=at(30), gap_seconds=29, room=None) is None  # the gap is the argument's


def test_a_beat_from_before_the_last_end_opens_a_new_interval() -> None:
    # a clock that went back: nothing is paid for negative time
    assert credit(start=T0, now=at(-1), gap_seconds=45, room=None) is None
    assert credit(start=T0, now=at(-0.001), gap_seconds=45, room=10) is None


def test_a_beat_at_the_last_end_earns_nothing_but_continues_the_interval() -> None:
    assert credit(start=T0, now=T0, gap_seconds=45, room=None) == 0
    assert credit(start=T0, now=T0, gap_seconds=45, room=10) == 0


def test_the_assignments_remaining_room_caps_the_credit() -> None:
    assert credit(start=T0, now=at(20), gap_seconds=45, room=30) == 20  # room to spare
    assert credit(start=T0, now=at(20), gap_seconds=45, room=20) == 20
    assert credit(start=T0, now=at(20), gap_seconds=45, room=7) == 7
    assert credit(start=T0, now=at(20), gap_seconds=45, room=0) == 0  # the task's time is used up
    assert credit(start=T0, now=at(20), gap_seconds=45, room=-5) == 0  # over the cap: never negative


def test_the_days_remaining_room_caps_the_credit_too() -> None:
    assert credit(start=T0, now=at(20), day_room=21) == 20  # room to spare
    assert credit(start=T0, now=at(20), day_room=20) == 20
    assert credit(start=T0, now=at(20), day_room=7) == 7
    assert credit(start=T0, now=at(20), day_room=0) == 0  # the day is used up
    assert credit(start=T0, now=at(20), day_room=-5) == 0  # over the day's cap: never negative
    assert credit(start=T0, now=at(20), day_room=-5, room=None) == 0  # on no task, the day still caps


def test_the_smaller_of_the_tasks_and_the_days_room_wins() -> None:
    assert credit(start=T0, now=at(20), room=5, day_room=9) == 5
    assert credit(start=T0, now=at(20), room=9, day_room=5) == 5
    assert credit(start=T0, now=at(20), room=0, day_room=50) == 0
    assert credit(start=T0, now=at(20), room=50, day_room=0) == 0
    assert credit(start=T0, now=at(20), room=-3, day_room=-8) == 0


def test_a_beat_that_shows_no_work_earns_nothing_and_opens_nothing() -> None:
    """No events and no run in flight: 0 (not None, which would open an interval others continue)."""
    assert credit(start=T0, now=at(20), worked=False) == 0
    assert credit(start=None, now=T0, worked=False) == 0
    assert credit(start=T0, now=at(200), worked=False) == 0  # over the gap: still nothing to open
    assert credit(start=T0, now=at(-1), worked=False) == 0
    assert credit(start=T0, now=at(20), room=None, day_room=100, worked=True) == 20  # the same beat with work


def test_the_span_starts_at_the_later_of_the_last_interval_end_and_the_tabs_last_beat() -> None:
    assert span_start(last_end=None, tab_last=None) is None  # nothing known: the beat opens an interval
    assert span_start(last_end=T0, tab_last=None) == T0  # a new tab continues the annotator's time
    assert span_start(last_end=None, tab_last=at(5)) == at(5)  # after an idle beat of this tab, nothing else
    assert span_start(last_end=T0, tab_last=at(5)) == at(5)  # the tab was idle until 5: only what follows
    assert span_start(last_end=at(5), tab_last=T0) == at(5)  # another tab already paid up to 5: never twice
    assert span_start(last_end=at(5), tab_last=at(5)) == at(5)


def test_the_events_of_a_beat_are_its_four_counts() -> None:
    assert events_seen({}) == 0
    assert events_seen({"keys": 0, "pointer": 0, "scroll": 0, "edits": 0}) == 0
    assert events_seen({"keys": 1, "pointer": 2, "scroll": 3, "edits": 4}) == 10
    assert events_seen({"edits": 1}) == 1
    assert events_seen({"seq": 9, "running": True, "assignment": 3}) == 0  # not events


def test_an_interval_is_clipped_to_the_period() -> None:
    start, end = at(0), at(100)

    assert overlap_seconds(at(10), at(40), start=start, end=end) == 30.0  # inside
    assert overlap_seconds(at(-50), at(40), start=start, end=end) == 40.0  # began before the period
    assert overlap_seconds(at(90), at(150), start=start, end=end) == 10.0  # ends after it
    assert overlap_seconds(at(-5), at(105), start=start, end=end) == 100.0  # covers it
    assert overlap_seconds(at(10), at(10.25), start=start, end=end) == 0.25  # fractions kept for the sum


def test_today_starts_at_midnight_and_the_week_on_monday() -> None:
    now = dt.datetime(2026, 3, 4, 15, 42, 7, 123456, tzinfo=dt.UTC)  # Wednesday

    day, week = day_and_week_start(now)

    assert day == dt.datetime(2026, 3, 4, 0, 0, 0, 0, tzinfo=dt.UTC)
    assert week == dt.datetime(2026, 3, 2, 0, 0, 0, 0, tzinfo=dt.UTC)  # Monday


def test_on_a_monday_the_week_starts_today_and_on_sunday_six_days_back() -> None:
    monday = dt.datetime(2026, 3, 2, 0, 0, 1, tzinfo=dt.UTC)
    sunday = dt.datetime(2026, 3, 8, 23, 59, 59, 999999, tzinfo=dt.UTC)

    assert day_and_week_start(monday) == (
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    assert day_and_week_start(sunday) == (
        dt.datetime(2026, 3, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )


def test_the_day_is_the_one_of_the_given_time_zone() -> None:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    now = dt.datetime(2026, 3, 2, 0, 30, tzinfo=paris)  # Monday 00:30 in Paris, still Sunday in UTC

    day, week = day_and_week_start(now)

    assert (day.tzinfo, day.date(), day.time()) == (paris, dt.date(2026, 3, 2), dt.time(0, 0))
    assert week == day
