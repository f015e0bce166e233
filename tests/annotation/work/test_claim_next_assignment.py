"""The queue: overlap, leases, resume, skip, returned work first, and concurrent claims."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from annotation.models import Assignment
from annotation.work import queue
from tasks.models import User
from tests.conftest import claimable_project, make_user, submit_judgment


@pytest.fixture
def people(db: None) -> list[User]:
    return [make_user(f"a{i}") for i in range(4)]


def test_it_leases_a_task_with_a_shuffled_blind_order(people: list[User]) -> None:
    project = claimable_project(annotators=people, responses=3)

    assignment = queue.claim_next_assignment(project=project, annotator=people[0])

    assert assignment.status == Assignment.Status.ACTIVE
    assert sorted(assignment.response_order) == ["A", "B", "C"]
    assert assignment.lease_expires_at is not None
    assert assignment.lease_expires_at > timezone.now() + dt.timedelta(minutes=29)


def test_claiming_again_resumes_the_active_assignment(people: list[User]) -> None:
    project = claimable_project(annotators=people)
    first = queue.claim_next_assignment(project=project, annotator=people[0])

    assert queue.claim_next_assignment(project=project, annotator=people[0]).pk == first.pk


def test_a_task_is_handed_out_up_to_its_overlap_and_fills_before_the_next(people: list[User]) -> None:
    project = claimable_project(annotators=people, tasks=2, overlap=2, min_tests=0)
    claims = []
    for person in people:
        assignment = queue.claim_next_assignment(project=project, annotator=person)
        claims.append(assignment.task.external_id)
        submit_judgment(assignment)

    assert claims == ["t0", "t0", "t1", "t1"]
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=project, annotator=make_user("late"))


def test_the_task_closest_to_its_overlap_comes_first_then_the_oldest(people: list[User]) -> None:
    """Catches the queue ordering by age only, or emptiest first: fill levels t0=0, t1=2, t2=1 (of 3)."""
    project = claimable_project(annotators=people, tasks=3, overlap=3)
    first, second, third, newcomer = people
    queue.skip_assignment(assignment=queue.claim_next_assignment(project=project, annotator=first), reason="not t0")
    assert queue.claim_next_assignment(project=project, annotator=first).task.external_id == "t1"
    assert queue.claim_next_assignment(project=project, annotator=second).task.external_id == "t1"
    for _ in range(2):  # t1 (full-most), then t0 (oldest of the empty ones): third passes on both
        queue.skip_assignment(assignment=queue.claim_next_assignment(project=project, annotator=third), reason="no")
    assert queue.claim_next_assignment(project=project, annotator=third).task.external_id == "t2"
    assert dict(project.tasks.values_list("external_id", "taken")) == {"t0": 0, "t1": 2, "t2": 1}

    claims = [
        queue.claim_next_assignment(project=project, annotator=p).task.external_id
        for p in (newcomer, make_user("late"))
    ]

    assert claims == ["t1", "t2"]  # t1 reaches 3 and leaves the pool; t2 (1 taken) beats the older, empty t0


def test_a_higher_priority_comes_before_fuller_and_older_tasks(people: list[User]) -> None:
    """Catches a claim that ignores Task.priority, or ranks it after the fill level or the age."""
    fifth = make_user("fifth")
    project = claimable_project(annotators=[*people, fifth], tasks=3, overlap=3)
    first, second, third, fourth = people
    assert queue.claim_next_assignment(project=project, annotator=first).task.external_id == "t0"  # t0 fuller now
    project.tasks.filter(external_id="t2").update(priority=5)
    project.tasks.filter(external_id="t0").update(priority=-1)

    claims = [
        queue.claim_next_assignment(project=project, annotator=p).task.external_id for p in (second, third, fourth)
    ]
    assert claims == ["t2", "t2", "t2"]  # the newest, emptiest task first: it has the highest priority
    # t2 is full; t0 (1 taken, older) is below the default priority, so the empty t1 comes first
    assert queue.claim_next_assignment(project=project, annotator=fifth).task.external_id == "t1"


def test_nobody_gets_the_same_task_twice(people: list[User]) -> None:
    project = claimable_project(annotators=people, tasks=2, overlap=3, min_tests=0)
    seen = []
    for _ in range(2):
        assignment = queue.claim_next_assignment(project=project, annotator=people[0])
        seen.append(assignment.task_id)
        submit_judgment(assignment)

    assert len(set(seen)) == 2
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=project, annotator=people[0])


def test_an_expired_lease_frees_the_place_and_the_annotator_gets_their_draft_back(people: list[User]) -> None:
    project = claimable_project(annotators=people, tasks=1, overlap=1)
    mine = queue.claim_next_assignment(project=project, annotator=people[0])
    later = timezone.now() + dt.timedelta(hours=1)

    other = queue.claim_next_assignment(project=project, annotator=people[1], now=later)

    mine.refresh_from_db()
    assert mine.status == Assignment.Status.EXPIRED and other.task_id == mine.task_id
    queue.skip_assignment(assignment=other, reason="not for me")
    again = queue.claim_next_assignment(project=project, annotator=people[0], now=later)
    assert again.pk == mine.pk and again.status == Assignment.Status.ACTIVE


def test_skipping_needs_a_reason_and_moves_on(people: list[User]) -> None:
    project = claimable_project(annotators=people, tasks=2)
    first = queue.claim_next_assignment(project=project, annotator=people[0])

    with pytest.raises(ValueError, match="say why"):
        queue.skip_assignment(assignment=first, reason="  ")
    queue.skip_assignment(assignment=first, reason="I can't read Rust")
    second = queue.claim_next_assignment(project=project, annotator=people[0])

    assert second.task_id != first.task_id
    first.refresh_from_db()
    assert first.status == Assignment.Status.SKIPPED and first.skip_reason == "I can't read Rust"


def test_returned_work_comes_first(people: list[User]) -> None:
    project = claimable_project(annotators=people, tasks=3, min_tests=0)
    first = queue.claim_next_assignment(project=project, annotator=people[0])
    submit_judgment(first)
    queue.return_assignment(assignment=first)

    assert queue.claim_next_assignment(project=project, annotator=people[0]).pk == first.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_exceed_overlap_or_duplicate() -> None:
    annotators = [make_user(f"c{i}") for i in range(12)]
    project = claimable_project(annotators=annotators, tasks=4, overlap=2, min_tests=0)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(annotators))

    def claim_all(user: User) -> None:
        try:
            barrier.wait()
            while True:
                submit_judgment(queue.claim_next_assignment(project=project, annotator=user))
        except queue.QueueEmpty:
            pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim_all, args=(user,)) for user in annotators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    per_task = Counter(Assignment.objects.values_list("task_id", flat=True))
    pairs = list(Assignment.objects.values_list("task_id", "annotator_id"))
    assert sorted(per_task.values()) == [2, 2, 2, 2]  # every task filled to its overlap, none beyond
    assert len(pairs) == len(set(pairs)) == 8
