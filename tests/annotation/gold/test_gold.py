"""Gold tasks: marked by a lead, mixed into the queue, scored, flagged, and kept out of datasets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from annotation.gold import scores as gold
from annotation.quality import annotators
from annotation.work import queue
from exporters import query
from tasks import services
from tasks.models import Project, Role, Task, User
from tests.conftest import claimable_project, make_user, submit_judgment


@pytest.fixture
def project(db: None) -> Project:
    people = [make_user(f"g{i}") for i in range(4)]
    project = claimable_project(annotators=people, tasks=4, overlap=1, min_tests=0)
    services.mark_gold(task=project.tasks.get(external_id="t3"), preferred="B", last="A")
    return project


def test_gold_answers_are_checked_when_marked(project: Project) -> None:
    task = project.tasks.get(external_id="t0")
    with pytest.raises(ValueError, match="one of the task's labels"):
        services.mark_gold(task=task, preferred="Z")
    with pytest.raises(ValueError, match="cannot also be the one ranked last"):
        services.mark_gold(task=task, preferred="A", last="A")
    assert services.mark_gold(task=task).gold_answer is None


def test_gold_is_mixed_in_at_the_projects_share_and_ignores_overlap(project: Project) -> None:
    project.gold_share = 1.0
    project.save(update_fields=["gold_share"])
    people = list(User.objects.filter(username__startswith="g").order_by("username"))

    claimed = [queue.claim_next_assignment(project=project, annotator=p).task.external_id for p in people]

    assert claimed == ["t3", "t3", "t3", "t3"]  # everyone meets the gold task although overlap is 1


def test_without_gold_share_gold_tasks_are_not_handed_out(project: Project) -> None:
    person = User.objects.get(username="g0")
    seen = []
    for _ in range(3):
        a = queue.claim_next_assignment(project=project, annotator=person)
        seen.append(a.task.external_id)
        queue.skip_assignment(assignment=a, reason="next")
    assert seen == ["t0", "t1", "t2"]
    with pytest.raises(queue.QueueEmpty):
        queue.claim_next_assignment(project=project, annotator=person)


def test_accuracy_flags_and_exports(project: Project, settings) -> None:
    settings.GOLD_MIN_JUDGED = 1
    project.gold_share = 1.0
    project.save(update_fields=["gold_share"])
    good, bad = User.objects.get(username="g0"), User.objects.get(username="g1")
    submit_judgment(queue.claim_next_assignment(project=project, annotator=good), ranking=[["B"], ["A"]])
    submit_judgment(queue.claim_next_assignment(project=project, annotator=bad), ranking=[["A"], ["B"]])

    scores = gold.gold_scores(project)
    rows = {r.username: r for r in annotators.annotator_stats(project)}

    assert (scores[good.pk].met, scores[bad.pk].met) == (1, 0)
    assert rows["g1"].low_gold and rows["g1"].flags["missed_gold"] == 1 and not rows["g0"].low_gold
    kept = query.submitted(project, filters={}, cutoff=timezone.now(), after=None)
    assert not kept.exists()  # gold judgments check annotators; they are left out of datasets
    assert query.submitted(project, filters={"include_gold": True}, cutoff=timezone.now(), after=None).count() == 2


def test_the_broken_response_meets_gold_only_in_the_last_group() -> None:
    """Catches `last` checked against the first group, a fixed group (ranking[1]), or not at all."""
    answer = {"last": "A"}

    assert gold.meets(answer, [["B"], ["C"], ["A"]], False)
    assert gold.meets(answer, [["B"], ["C", "A"]], False)  # tied for last is still last
    assert not gold.meets(answer, [["B"], ["A"], ["C"]], False)  # in the middle
    assert not gold.meets(answer, [["A"], ["B"], ["C"]], False)  # first


def test_preferred_and_last_together_need_both() -> None:
    """Catches the two parts of a gold answer combined with `or`, or one of them ignored."""
    answer = {"preferred": "B", "last": "A"}

    assert gold.meets(answer, [["B"], ["C"], ["A"]], False)
    assert not gold.meets(answer, [["B"], ["A"], ["C"]], False)  # preferred first, broken one not last
    assert not gold.meets(answer, [["C"], ["B"], ["A"]], False)  # broken one last, preferred not first


def test_meeting_gold_needs_an_ordered_ranking() -> None:
    answer = {"preferred": "B", "last": "A"}
    assert gold.meets(answer, [["B"], ["C"], ["A"]], False)
    assert not gold.meets(answer, [["A", "B"]], False)  # a tie says nothing
    assert not gold.meets(answer, [["B"], ["A"]], True)  # "all unacceptable" misses it


def test_a_lead_marks_gold_on_the_task_page_and_a_reviewer_cannot(
    client: Client, project: Project, lead: User, reviewer: User
) -> None:
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    client.force_login(reviewer)
    assert client.post(f"/projects/{project.slug}/tasks/t1/", {"preferred": "A"}).status_code == 403
    client.force_login(lead)

    client.post(f"/projects/{project.slug}/tasks/t1/", {"preferred": "A", "last": "B"})

    assert Task.objects.get(project=project, external_id="t1").gold_answer == {"preferred": "A", "last": "B"}
