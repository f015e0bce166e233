"""The queue offers a lead's higher priorities first, then (as before) the fullest task, then the oldest."""

from __future__ import annotations

from django.test import Client

from annotation.manager import services as manager
from annotation.work import queue
from tasks.models import Project, User
from tests.annotation.manager.conftest import add_tasks, claim
from tests.conftest import task_line


def test_a_higher_priority_comes_before_a_fuller_or_older_task(
    tm: Project, lead: User, annotator: User, annotator2: User, annotator3: User
) -> None:
    _, fuller, urgent = add_tasks(tm, task_line("oldest"), task_line("fuller"), task_line("urgent"))
    claim(fuller, annotator3)  # one place of its overlap taken: without priorities it would come first
    client = Client()
    client.force_login(lead)
    client.post(f"/projects/{tm.slug}/tasks/", {"action": "set_priority", "priority": "2", "task": ["urgent"]})

    assert queue.claim_next_assignment(project=tm, annotator=annotator).task == urgent
    assert queue.claim_next_assignment(project=tm, annotator=annotator2).task == urgent


def test_within_one_priority_the_fullest_then_the_oldest_comes_first(
    tm: Project, annotator: User, annotator2: User, annotator3: User
) -> None:
    oldest, fuller, _ = add_tasks(tm, *(task_line(i) for i in ("oldest", "fuller", "newest")))
    manager.bulk_action(project=tm, action="set_priority", task_ids=["oldest", "fuller", "newest"], priority=1)
    claim(fuller, annotator3)

    assert queue.claim_next_assignment(project=tm, annotator=annotator).task == fuller
    assert queue.claim_next_assignment(project=tm, annotator=annotator2).task == oldest


def test_a_negative_priority_comes_after_the_default(tm: Project, annotator: User) -> None:
    _, default = add_tasks(tm, task_line("later"), task_line("default"))
    manager.bulk_action(project=tm, action="set_priority", task_ids=["later"], priority=-1)

    assert queue.claim_next_assignment(project=tm, annotator=annotator).task == default
