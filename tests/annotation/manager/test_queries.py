"""The list stays a handful of queries however many tasks it shows: statuses, counts and models are
annotated or prefetched, never fetched per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotation.work import queue
from tasks import services
from tasks.models import Project, User
from tests.annotation.manager.conftest import add_tasks, flag, judge
from tests.conftest import task_line

PAGE_QUERIES = 9  # session, user, project, role, models, counts per status, count, page, responses
API_QUERIES = 8  # the same, without the models of the filter


def busy_tasks(project: Project, start: int, annotators: list[User]) -> None:
    """Five more tasks, one in each status but open, so every annotation has something to count."""
    tasks = add_tasks(project, *(task_line(f"q-{i:03d}") for i in range(start, start + 5)))
    judge(tasks[0], annotators[0], "A")
    judge(tasks[0], annotators[1], "B")
    judge(tasks[1], annotators[2], "A")
    flag(tasks[2], annotators[0])
    services.mark_gold(task=tasks[3], preferred="A")
    queue.retire_task(task=tasks[4])


def page_rows(answer: Any) -> int:
    return answer.content.count(b'name="task"')


def api_rows(answer: Any) -> int:
    return len(answer.json()["results"])


@pytest.mark.parametrize(
    ("url", "limit", "rows", "shown"),
    [
        ("/projects/tm/tasks/?sort=-submitted", PAGE_QUERIES, page_rows, 50),
        ("/api/v1/projects/tm/tasks/search?sort=-submitted", API_QUERIES, api_rows, 60),
    ],
)
def test_the_list_costs_the_same_queries_for_5_or_60_tasks(
    tm: Project,
    lead: User,
    annotator: User,
    annotator2: User,
    annotator3: User,
    django_assert_max_num_queries: Callable[..., CaptureQueriesContext],
    url: str,
    limit: int,
    rows: Callable[[Any], int],
    shown: int,
) -> None:
    client = Client()
    client.force_login(lead)
    people = [annotator, annotator2, annotator3]
    busy_tasks(tm, 0, people)
    with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(limit):
        assert rows(client.get(url)) == 5
    for start in range(5, 60, 5):
        busy_tasks(tm, start, people[start % 3 :] + people[: start % 3])

    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(limit):
        answer = client.get(url)

    assert rows(answer) == shown
    assert len(many) == len(few)
