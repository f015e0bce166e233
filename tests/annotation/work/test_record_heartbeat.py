"""Time on platform from scripted heartbeat sequences with known active time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from annotation.models import Assignment
from annotation.work import activity, queue
from tasks.models import User
from tests.conftest import claimable_project

T0 = timezone.make_aware(dt.datetime(2026, 11, 18, 9, 0, 0))  # a Wednesday


@pytest.fixture
def worker_and_assignment(annotator: User) -> tuple[User, Assignment]:
    user = annotator
    project = claimable_project(annotators=[user])
    return user, queue.claim_next_assignment(project=project, annotator=user, now=T0)


def beats(user: User, assignment: Assignment, seconds: list[int], tab: str = "tab-1", start_seq: int = 1) -> int:
    total = 0
    for i, offset in enumerate(seconds):
        at = T0 + dt.timedelta(seconds=offset)
        total += activity.record_heartbeat(annotator=user, assignment=assignment, tab=tab, seq=start_seq + i, now=at)
    return total


def beat(user: User, assignment: Assignment | None, tab: str, *, seq: int, at: int) -> int:
    return activity.record_heartbeat(
        annotator=user, assignment=assignment, tab=tab, seq=seq, now=T0 + dt.timedelta(seconds=at)
    )


def total(user: User) -> int:
    return activity.active_seconds(annotator=user, start=T0 - dt.timedelta(hours=1), end=T0 + dt.timedelta(hours=5))


def test_steady_beats_count_the_time_between_them(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment

    assert beats(user, assignment, [0, 20, 40, 60, 80]) == 80
    assert total(user) == 80
    assignment.refresh_from_db()
    assert assignment.active_seconds == 80


def test_a_silence_longer_than_the_gap_is_not_paid(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment

    beats(user, assignment, [0, 20, 40, 200, 220])  # idle from 40 to 200

    assert total(user) == 40 + 20


def test_a_beat_credits_its_time_once_and_its_repeat_nothing(worker_and_assignment) -> None:
    """Catches a repeated beat (same tab, same seq) credited again, and beats never credited at all."""
    user, assignment = worker_and_assignment

    opening = beat(user, assignment, "tab-1", seq=1, at=0)
    first = beat(user, assignment, "tab-1", seq=2, at=20)
    repeat = beat(user, assignment, "tab-1", seq=2, at=40)  # the same beat delivered again, later

    assert (opening, first, repeat) == (0, 20, 0)
    assignment.refresh_from_db()
    assert total(user) == 20 and assignment.active_seconds == 20


def test_duplicate_and_out_of_order_beats_are_dropped(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment
    beats(user, assignment, [0, 20], start_seq=1)

    assert beat(user, assignment, "tab-1", seq=2, at=40) == 0  # a duplicate
    assert beat(user, assignment, "tab-1", seq=1, at=41) == 0  # a straggler
    assert total(user) == 20


def test_two_tabs_never_count_twice(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment

    for offset in range(0, 121, 20):
        beat(user, assignment, "left", seq=offset + 1, at=offset)
        beat(user, assignment, "right", seq=offset + 1, at=offset + 3)

    assert total(user) == 123  # wall-clock from the first beat to the last, once


def test_time_is_capped_per_task(worker_and_assignment, settings) -> None:
    settings.ASSIGNMENT_MAX_ACTIVE_SECONDS = 50
    user, assignment = worker_and_assignment

    beats(user, assignment, [0, 20, 40, 60, 80])

    assignment.refresh_from_db()
    assert assignment.active_seconds == 50 and total(user) == 50


def test_idle_beats_earn_nothing_and_the_next_working_beat_only_its_own_span(worker_and_assignment) -> None:
    """Catches idle time paid after the fact: 0..20 worked, 20..80 idle, 80..100 worked is 40 s, not 100."""
    user, assignment = worker_and_assignment
    script = [(0, True), (20, True), (40, False), (60, False), (80, False), (100, True)]

    credits = [
        activity.record_heartbeat(
            annotator=user, assignment=assignment, tab="t", seq=seq, interacted=worked, now=T0 + dt.timedelta(seconds=s)
        )
        for seq, (s, worked) in enumerate(script, start=1)
    ]

    assert credits == [0, 20, 0, 0, 0, 20]
    assignment.refresh_from_db()
    assert total(user) == 40 and assignment.active_seconds == 40


def test_a_tabs_idle_first_beat_starts_what_its_next_working_beat_earns(worker_and_assignment) -> None:
    """The page's first beat at load usually saw nothing yet; the next one, 20 s on, is paid in full."""
    user, assignment = worker_and_assignment

    opening = activity.record_heartbeat(annotator=user, assignment=assignment, tab="t", seq=1, interacted=False, now=T0)
    working = activity.record_heartbeat(
        annotator=user, assignment=assignment, tab="t", seq=2, now=T0 + dt.timedelta(seconds=20)
    )

    assert (opening, working, total(user)) == (0, 20, 20)


def test_a_heartbeat_renews_the_lease(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment
    later = T0 + dt.timedelta(minutes=25)

    activity.record_heartbeat(annotator=user, assignment=assignment, tab="t", seq=1, now=later)

    assignment.refresh_from_db()
    assert assignment.lease_expires_at > later + dt.timedelta(minutes=29)


def test_today_and_this_week_add_up_intervals(worker_and_assignment) -> None:
    user, assignment = worker_and_assignment
    monday = T0 - dt.timedelta(days=2)
    activity.record_heartbeat(annotator=user, assignment=assignment, tab="m", seq=1, now=monday)
    activity.record_heartbeat(
        annotator=user, assignment=assignment, tab="m", seq=2, now=monday + dt.timedelta(seconds=30)
    )
    beats(user, assignment, [0, 20, 40])

    today, week = activity.today_and_week(annotator=user, now=T0 + dt.timedelta(hours=1))

    assert (today, week) == (40, 70)


def test_each_annotator_has_their_own_time(worker_and_assignment, annotator2: User) -> None:
    user, assignment = worker_and_assignment
    other = annotator2
    beats(user, assignment, [0, 20])

    activity.record_heartbeat(annotator=other, assignment=None, tab="x", seq=1, now=T0 + dt.timedelta(seconds=5))
    activity.record_heartbeat(annotator=other, assignment=None, tab="x", seq=2, now=T0 + dt.timedelta(seconds=15))

    assert (total(user), total(other)) == (20, 10)
