"""Races (issue 11, finding 3): ten parallel requests for the same thing get one result.

Each test runs ten threads, each on its own database connection, released together by a barrier. On
PostgreSQL (CI) these are real races; on SQLite the database's write lock taken at BEGIN serializes
them, so the tests pass there without proving much: they must run on PostgreSQL, where the bugs were
seen (4 to 10 active assignments, ten pending runs, ten reviews).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from annotation.celery import ensure_folders
from annotation.models import Assignment, Review, TestRun
from annotation.review import services as review
from annotation.work import queue, runs
from tasks import services
from tasks.models import Role, Task, User
from tests.conftest import claimable_project, make_user, submit_judgment

PARALLEL = 10
TESTS = "from solution import add\n\ndef test_small():\n    assert add(2, 2) == 4\n"


def in_parallel(work: Callable[[], Any]) -> list[Any]:
    """Run `work` in PARALLEL threads at once; each returns its result or the exception it raised.
    Every thread closes its own connection, so the test database can be dropped afterwards."""
    barrier = threading.Barrier(PARALLEL)

    def one() -> Any:
        try:
            barrier.wait(timeout=30)
            return work()
        except Exception as exc:  # the outcome to count, not a crash
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = [pool.submit(one) for _ in range(PARALLEL)]
        return [f.result(timeout=120) for f in futures]


@pytest.mark.django_db(transaction=True)
def test_parallel_claims_by_one_annotator_give_one_active_assignment() -> None:
    """Finding 3: ten parallel claims by one annotator gave 4 to 10 active assignments in one project."""
    annotator = make_user("racer")
    project = claimable_project(annotators=[annotator], tasks=PARALLEL + 2, overlap=1)

    outcomes = in_parallel(lambda: queue.claim_next_assignment(project=project, annotator=annotator).pk)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    active = Assignment.objects.filter(annotator=annotator, task__project=project, status=Assignment.Status.ACTIVE)
    assert active.count() == 1
    assert set(outcomes) == {active.get().pk}  # every claim resumed the one assignment
    assert sum(Task.objects.filter(project=project).values_list("taken", flat=True)) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_test_runs_on_one_assignment_start_one_run() -> None:
    """Finding 3: ten parallel test runs on one assignment were all accepted (the rule is one pending run)."""
    annotator = make_user("runner")
    project = claimable_project(annotators=[annotator], tasks=1, overlap=1)
    assignment_id = queue.claim_next_assignment(project=project, annotator=annotator).pk
    ensure_folders()  # the started run's jobs are enqueued on commit (no worker takes them here)

    def start_run() -> int:
        return runs.run_tests(assignment=Assignment.objects.get(pk=assignment_id), code=TESTS).pk

    outcomes = in_parallel(start_run)

    started = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, runs.CannotRun)]
    assert len(started) == 1 and len(refused) == PARALLEL - 1, outcomes
    assert all("still going" in str(r) for r in refused)
    assert TestRun.objects.filter(assignment_id=assignment_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_accept_verdicts_record_one_review() -> None:
    """Finding 3: ten parallel accept verdicts on one submission recorded ten reviews. A repeat of the
    same verdict by the same reviewer is a double click: it gets the review already recorded."""
    annotator, reviewer = make_user("judged"), make_user("checker")
    project = claimable_project(annotators=[annotator], tasks=1, overlap=1, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(assignment)

    def accept() -> int:
        fresh = Assignment.objects.get(pk=assignment.pk)
        return review.review_judgment(assignment=fresh, reviewer=reviewer, verdict="accept").pk

    outcomes = in_parallel(accept)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Review.objects.filter(assignment=assignment).count() == 1
    assert set(outcomes) == {Review.objects.get(assignment=assignment).pk}


@pytest.mark.django_db(transaction=True)
def test_parallel_conflicting_verdicts_record_one_and_refuse_the_others_clearly() -> None:
    """Two reviewers (or a reviewer and a lead) racing with different verdicts: one verdict per
    submission; the others are told the work already has one, and whose."""
    annotator, reviewer, lead = make_user("judged2"), make_user("checker2"), make_user("boss2")
    project = claimable_project(annotators=[annotator], tasks=1, overlap=1, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(assignment)
    turn = iter(range(PARALLEL))
    lock = threading.Lock()

    def verdict() -> int:
        with lock:
            n = next(turn)
        who, said = (reviewer, "accept") if n % 2 else (lead, "reject")
        fresh = Assignment.objects.get(pk=assignment.pk)
        return review.review_judgment(assignment=fresh, reviewer=who, verdict=said, feedback=f"take {n}").pk

    outcomes = in_parallel(verdict)

    recorded = Review.objects.get(assignment=assignment)  # exactly one
    refused = [o for o in outcomes if isinstance(o, review.ReviewRefused)]
    assert [o for o in outcomes if isinstance(o, int)] == [recorded.pk]
    assert len(refused) == PARALLEL - 1
    assert all("already" in str(r) for r in refused), refused


@pytest.mark.django_db(transaction=True)
def test_parallel_claims_by_many_annotators_still_fill_each_task_to_its_overlap() -> None:
    """The claim's per-annotator lock must not serialize different annotators into losing tasks."""
    people: list[User] = [make_user(f"crowd{i}") for i in range(PARALLEL)]
    project = claimable_project(annotators=people, tasks=5, overlap=2)
    who = iter(people)
    lock = threading.Lock()

    def claim() -> int:
        with lock:
            person = next(who)
        return queue.claim_next_assignment(project=project, annotator=person).task_id

    outcomes = in_parallel(claim)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(Task.objects.filter(project=project).values_list("taken", flat=True)) == [2] * 5
