"""The pure rules of time on platform (annotation/work/activity.py): what one heartbeat earns, how an
interval is clipped to a period, where today and this week start. No database."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from annotation.work.activity import beat_credit, day_and_week_start, overlap_seconds

T0 = dt.datetime(2026, 3, 4, 10, 0, 0, tzinfo=dt.UTC)  # a Wednesday


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_the_first_beat_opens_an_interval() -> None:
    assert beat_credit(last_end=None, now=T0, gap_seconds=45, room=None) is None
    assert beat_credit(last_end=None, now=T0, gap_seconds=45, room=100) is None


def test_a_beat_within_the_gap_earns_the_whole_seconds_since_the_last_end() -> None:
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=None) == 20
    assert beat_credit(last_end=T0, now=at(20.9), gap_seconds=45, room=None) == 20  # whole seconds, cut down
    assert beat_credit(last_end=T0, now=at(0.5), gap_seconds=45, room=None) == 0


def test_a_silence_of_exactly_the_gap_is_still_paid_and_one_longer_is_not() -> None:
    assert beat_credit(last_end=T0, now=at(45), gap_seconds=45, room=None) == 45
    assert beat_credit(last_end=T0, now=at(45.5), gap_seconds=45, room=None) is None
    assert beat_credit(last_end=T0, now=at(46), gap_seconds=45, room=None) is None
    assert beat_credit(last_end=T0, now=at(30), gap_seconds=29, room=None) is None  # the gap is the argument's


def test_a_beat_from_before_the_last_end_opens_a_new_interval() -> None:
    # a clock that went back: nothing is paid for negative time
    assert beat_credit(last_end=T0, now=at(-1), gap_seconds=45, room=None) is None
    assert beat_credit(last_end=T0, now=at(-0.001), gap_seconds=45, room=10) is None


def test_a_beat_at_the_last_end_earns_nothing_but_continues_the_interval() -> None:
    assert beat_credit(last_end=T0, now=T0, gap_seconds=45, room=None) == 0
    assert beat_credit(last_end=T0, now=T0, gap_seconds=45, room=10) == 0


def test_the_assignments_remaining_room_caps_the_credit() -> None:
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=30) == 20  # room to spare
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=20) == 20
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=7) == 7
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=0) == 0  # the task's time is used up
    assert beat_credit(last_end=T0, now=at(20), gap_seconds=45, room=-5) == 0  # over the cap: never negative


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
