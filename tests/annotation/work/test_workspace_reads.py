"""The workspace page's compiled reads (annotation/work/workspace.py, activity.py) give what their plain
querysets give, for one assignment after another on the same plan: a plan that kept the first call's
values, or bound an id to the wrong place, shows one annotator another's draft, runs or feedback."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from annotation.access import access_assignment
from annotation.models import Assignment, Judgment, Review, TestCase, TestRun
from annotation.work import activity, judging, queue, workspace
from tasks.models import User
from tests.conftest import claimable_project, heartbeats


def test_each_assignment_gets_its_own_responses_draft_runs_and_send_back(
    annotator: User, annotator2: User, reviewer: User, lead: User
) -> None:
    project = claimable_project(tasks=2, overlap=1, responses=3, annotators=[annotator, annotator2])
    mine = queue.claim_next_assignment(project=project, annotator=annotator)
    theirs = queue.claim_next_assignment(project=project, annotator=annotator2)
    assert mine and theirs and mine.task_id != theirs.task_id
    for n, assignment in enumerate((mine, theirs)):
        judging.save_draft(assignment=assignment, data={"rationale": f"draft {n}"})
        for k in range(n + 2):  # 2 runs on mine, 3 on theirs
            case = TestCase.objects.create(assignment=assignment, code=f"def test_{k}(): pass\n")
            TestRun.objects.create(assignment=assignment, test_case=case)
    Review.objects.create(assignment=theirs, reviewer=reviewer, verdict=Review.Verdict.SEND_BACK, feedback="first")
    Review.objects.create(assignment=theirs, reviewer=lead, verdict=Review.Verdict.SEND_BACK, feedback="redo")
    Review.objects.create(assignment=mine, reviewer=reviewer, verdict=Review.Verdict.ACCEPT)

    # As the submit's re-render reads them (its own queries) and as the page does (with the assignment).
    for page in (False, True, False, True):
        for assignment in (mine, theirs, mine, theirs):
            check(access_assignment(assignment.annotator, assignment.pk, page=True) if page else assignment)
    for page in (False, True):
        read = access_assignment(annotator2, theirs.pk, page=True) if page else theirs
        assert workspace.context(read)["feedback"] == workspace.SentBack(reviewer_name=lead.username, feedback="redo")
        read = access_assignment(annotator, mine.pk, page=True) if page else mine
        assert workspace.context(read)["feedback"] is None


def check(assignment: Assignment) -> None:
    got = workspace.context(assignment)
    assert sorted(r.pk for _, r in got["responses"]) == sorted(assignment.task.responses.values_list("pk", flat=True))
    assert got["judgment"] == Judgment.objects.get(assignment=assignment)
    runs = [m.run for m in [got["matrix"], *got["earlier_runs"]]]
    assert runs == list(TestRun.objects.filter(assignment=assignment).order_by("-created_at", "-id"))
    want = Review.objects.filter(assignment=assignment, verdict=Review.Verdict.SEND_BACK).last()
    assert got["feedback"] == (want and workspace.SentBack(want.reviewer.username, want.feedback))


def test_the_time_counter_reads_each_annotators_own_intervals_in_the_week(annotator: User, annotator2: User) -> None:
    now = timezone.now()
    heartbeats(annotator, None, 120, end=now - dt.timedelta(minutes=1))
    heartbeats(annotator2, None, 300, end=now - dt.timedelta(minutes=1))
    heartbeats(annotator2, None, 200, end=now - dt.timedelta(days=8))  # last week: not counted
    assert activity.today_and_week(annotator=annotator, now=now) == (120, 120)
    assert activity.today_and_week(annotator=annotator2, now=now) == (300, 300)
    assert activity.today_and_week(annotator=annotator, now=now) == (120, 120)
    # `now` is a value too: an hour before the intervals, nothing of them has happened yet
    assert activity.today_and_week(annotator=annotator2, now=now - dt.timedelta(hours=1))[1] < 300


def test_a_page_view_still_shows_only_its_assignment(annotator: User, annotator2: User) -> None:
    project = claimable_project(tasks=2, overlap=1, annotators=[annotator, annotator2])
    first = queue.claim_next_assignment(project=project, annotator=annotator)
    second = queue.claim_next_assignment(project=project, annotator=annotator2)
    assert isinstance(first, Assignment) and isinstance(second, Assignment)
    judging.save_draft(assignment=second, data={"rationale": "only theirs"})
    assert workspace.context(second)["judgment"].rationale == "only theirs"
    assert workspace.context(first)["judgment"] is None
    # Read for the page, with the judgment joined: none yet is None, not another's.
    assert workspace.context(access_assignment(annotator2, second.pk, page=True))["judgment"].rationale == "only theirs"
    assert workspace.context(access_assignment(annotator, first.pk, page=True))["judgment"] is None


def test_the_page_shows_the_latest_send_back_escaped(annotator: User, reviewer: User, lead: User) -> None:
    project = claimable_project(tasks=1, overlap=1, annotators=[annotator])
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    send_back = Review.Verdict.SEND_BACK
    Review.objects.create(assignment=assignment, reviewer=reviewer, verdict=send_back, feedback="old note")
    Review.objects.create(assignment=assignment, reviewer=lead, verdict=send_back, feedback="<script>x()</script> redo")
    client = Client()
    client.force_login(annotator)

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert f"Sent back by {lead.username}:</strong> &lt;script&gt;x()&lt;/script&gt; redo" in html
    assert "<script>x()" not in html and "old note" not in html
