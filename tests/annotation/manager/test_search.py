"""Searching a project's tasks (page and API share one search): each filter, each status, the order,
the counts per status and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from annotation.manager import services as manager
from annotation.review import services as review
from annotation.work import queue
from tasks import services
from tasks.models import Project, Task, User
from tests.annotation.manager.conftest import STATUS_OF, add_tasks, claim, flag, judge
from tests.conftest import submit_judgment, task_line


def found(client: Client, project: Project, **params: Any) -> list[str]:
    """The ids the API's search gives for these query parameters, in its order."""
    answer = client.get(f"/api/v1/projects/{project.slug}/tasks/search", params)
    assert answer.status_code == 200, answer.content
    return [row["id"] for row in answer.json()["results"]]


def status_of(project: Project) -> dict[str, str]:
    """Each task's status by id, as the search works it out."""
    return dict(manager.search(project, manager.TaskFilter()).values_list("external_id", manager.STATUS))


@pytest.fixture
def api(lead: User) -> Client:
    client = Client()
    client.force_login(lead)
    return client


def test_it_gives_each_task_the_status_its_work_gives_it(api: Client, tm: Project, statuses: dict[str, Task]) -> None:
    rows = api.get(f"/api/v1/projects/{tm.slug}/tasks/search").json()

    assert {row["id"]: row["status"] for row in rows["results"]} == STATUS_OF
    assert rows["status_counts"] == {
        "open": 2,
        "in_progress": 1,
        "complete": 1,
        "flagged": 1,
        "gold": 1,
        "retired": 1,
    }


@pytest.mark.parametrize("status", ["open", "in_progress", "complete", "flagged", "gold", "retired"])
def test_each_status_filter_keeps_the_tasks_in_that_status(
    api: Client, tm: Project, statuses: dict[str, Task], status: str
) -> None:
    assert found(api, tm, status=status) == [i for i, s in STATUS_OF.items() if s == status]


def test_work_in_hand_or_short_of_the_overlap_is_in_progress_and_skipped_work_is_not(
    tm: Project, reviewer: User, annotator: User, annotator2: User, annotator3: User
) -> None:
    half, returned, skipped = add_tasks(tm, task_line("half"), task_line("returned"), task_line("skipped"))
    judge(half, annotator, "A")  # 1 of the overlap's 2
    judge(returned, annotator2, "A")
    sent_back = judge(returned, annotator3, "A", reviewer=reviewer, verdict="send_back")
    queue.skip_assignment(assignment=claim(skipped, annotator), reason="not my language")

    assert sent_back.reviews.get().verdict == "send_back"
    assert status_of(tm) == {"half": "in_progress", "returned": "in_progress", "skipped": "open"}


def test_a_task_whose_overlap_was_lowered_under_its_work_in_hand_is_still_in_progress(
    tm: Project, annotator: User, annotator2: User, annotator3: User
) -> None:
    Project.objects.filter(pk=tm.pk).update(overlap=3)
    (task,) = add_tasks(tm, task_line("t"))
    judge(task, annotator, "A")
    judge(task, annotator2, "A")
    claim(task, annotator3)
    Project.objects.filter(pk=tm.pk).update(overlap=2)  # the lead lowers it while annotator3 works
    tm.refresh_from_db()

    assert status_of(tm) == {"t": "in_progress"}
    queue.skip_assignment(assignment=claim(task, annotator3), reason="enough judgments")
    assert status_of(tm) == {"t": "complete"}


def test_a_retirement_or_an_open_flag_shows_before_gold(tm: Project, annotator: User) -> None:
    flagged, retired, plain = add_tasks(tm, task_line("flagged"), task_line("retired"), task_line("plain"))
    flag(flagged, annotator)
    queue.retire_task(task=retired)
    for task in (flagged, retired, plain):
        services.mark_gold(task=task, preferred="A")

    assert status_of(tm) == {"flagged": "flagged", "retired": "retired", "plain": "gold"}


def test_the_text_is_looked_for_in_prompts_and_in_response_code_whatever_its_case(api: Client, tm: Project) -> None:
    add_tasks(
        tm,
        task_line("in-prompt", prompt="Write a PARSER for dates."),
        task_line(
            "in-code", responses=[{"model": "m1", "code": "def parser(): ..."}, {"model": "m2", "code": "x = 1"}]
        ),
        task_line("neither", responses=[{"model": "parser-model", "code": "x = 1"}, {"model": "m2", "code": "y = 2"}]),
    )

    assert found(api, tm, q="parser") == ["in-prompt", "in-code"]
    assert found(api, tm, q="100%") == []  # the wildcard is a character to find, not a pattern


def test_the_id_filter_keeps_ids_that_start_with_it(api: Client, tm: Project) -> None:
    add_tasks(tm, task_line("batch1-a"), task_line("batch1-b"), task_line("batch2-a"), task_line("x-batch1"))

    assert found(api, tm, id="batch1") == ["batch1-a", "batch1-b"]


def test_the_model_filter_keeps_tasks_with_a_response_by_that_model(api: Client, tm: Project) -> None:
    def by(*models: str) -> list[dict[str, str]]:
        return [{"model": m, "code": f"# {m}\n"} for m in models]

    add_tasks(tm, task_line("ab", responses=by("alpha", "beta")), task_line("bc", responses=by("beta", "gamma")))

    assert (found(api, tm, model="alpha"), found(api, tm, model="beta"), found(api, tm, model="bet")) == (
        ["ab"],
        ["ab", "bc"],
        [],
    )
    assert manager.model_names(tm) == ["alpha", "beta", "gamma"]


def test_the_language_and_priority_filters(api: Client, tm: Project, lead: User) -> None:
    add_tasks(
        tm, task_line("py"), task_line("js", language="javascript"), task_line("js-urgent", language="javascript")
    )
    manager.bulk_action(project=tm, action="set_priority", task_ids=["js-urgent"], priority=5)

    assert found(api, tm, language="javascript") == ["js", "js-urgent"]
    assert found(api, tm, priority=5) == ["js-urgent"]
    assert found(api, tm, priority=0, language="javascript") == ["js"]


def test_the_sort_orders(api: Client, tm: Project, annotator: User, annotator2: User) -> None:
    tasks = add_tasks(tm, task_line("c"), task_line("a"), task_line("b"))
    manager.bulk_action(project=tm, action="set_priority", task_ids=["b"], priority=3)
    manager.bulk_action(project=tm, action="set_priority", task_ids=["c"], priority=-1)
    judge(tasks[1], annotator, "A")
    judge(tasks[1], annotator2, "A")
    judge(tasks[2], annotator, "A")

    assert found(api, tm) == ["c", "a", "b"]  # import order
    assert found(api, tm, sort="-id") == ["b", "a", "c"]
    assert found(api, tm, sort="external_id") == ["a", "b", "c"]
    assert found(api, tm, sort="-priority") == ["b", "a", "c"]
    assert found(api, tm, sort="priority") == ["c", "a", "b"]
    assert found(api, tm, sort="-submitted") == ["a", "b", "c"]


def test_the_counts_follow_the_other_filters_but_not_the_status(
    api: Client, tm: Project, statuses: dict[str, Task]
) -> None:
    counts = api.get(f"/api/v1/projects/{tm.slug}/tasks/search", {"id": "s-open", "status": "gold"}).json()

    assert counts["results"] == [] and counts["status_counts"]["open"] == 2 and counts["status_counts"]["gold"] == 0


def test_the_page_lists_fifty_a_page_and_keeps_the_filter_in_its_links(tm: Project, lead: User) -> None:
    add_tasks(tm, *(task_line(f"p-{i:02d}") for i in range(51)), task_line("other"))
    client = Client()
    client.force_login(lead)

    first = client.get(f"/projects/{tm.slug}/tasks/", {"id": "p-"}).content.decode()
    second = client.get(f"/projects/{tm.slug}/tasks/", {"id": "p-", "page": "2"}).content.decode()

    assert first.count('name="task"') == 50 and "p-49" in first and "p-50" not in first
    assert 'href="?id=p-&amp;page=2"' in first and "page 1 of 2" in first
    assert second.count('name="task"') == 1 and 'value="p-50"' in second and "other" not in second


def test_the_api_pages_with_limit_and_offset(api: Client, tm: Project) -> None:
    add_tasks(tm, *(task_line(f"p-{i}") for i in range(5)))

    page = api.get(f"/api/v1/projects/{tm.slug}/tasks/search", {"limit": 2, "offset": 2}).json()

    assert page["count"] == 5 and [r["id"] for r in page["results"]] == ["p-2", "p-3"]
    assert "offset=4" in page["next"] and page["results"][0]["responses"] == [
        {"label": r.label, "model": r.model_name} for r in Task.objects.get(external_id="p-2").responses.all()
    ]


def test_a_bad_filter_is_refused_with_its_field_named(api: Client, tm: Project) -> None:
    page = api.get(f"/projects/{tm.slug}/tasks/", {"status": "done", "priority": "high"})
    answer = api.get(f"/api/v1/projects/{tm.slug}/tasks/search", {"status": "done"})

    assert page.status_code == 400 and "status: " in page.content.decode() and "priority: " in page.content.decode()
    assert answer.status_code == 400 and "status" in answer.json()


def test_rejected_judgments_count_as_submitted(api: Client, tm: Project, reviewer: User, annotator: User) -> None:
    (task,) = add_tasks(tm, task_line("t"))
    assignment = claim(task, annotator)
    submit_judgment(assignment)
    review.review_judgment(assignment=assignment, reviewer=reviewer, verdict="reject")

    (row,) = api.get(f"/api/v1/projects/{tm.slug}/tasks/search").json()["results"]
    assert (row["submitted"], row["taken"], row["status"]) == (1, 1, "in_progress")
