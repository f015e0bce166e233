"""The leads' bulk actions, on ticked tasks (page), named ids (API) or every task a filter matches:
what each changes, what it refuses and the summary that says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from annotation.manager import services as manager
from annotation.models import Assignment, TaskFlag
from annotation.review import services as review
from annotation.work import queue
from tasks import services
from tasks.models import Project, Response, Task, User
from tests.annotation.manager.conftest import add_tasks, claim, flag, judge, token_header
from tests.conftest import submit_judgment, task_line


@pytest.fixture
def page(lead: User) -> Client:
    client = Client()
    client.force_login(lead)
    return client


def api_bulk(client: Client, project: Project, **body: Any) -> tuple[int, Any]:
    answer = client.post(f"/api/v1/projects/{project.slug}/tasks/bulk", body, content_type="application/json")
    return answer.status_code, answer.json()


def messages_of(answer: Any) -> list[str]:
    return [str(m) for m in answer.context["messages"]]


def gold(*ids: str) -> dict[str, Any]:
    return dict(Task.objects.filter(external_id__in=ids).values_list("external_id", "gold_answer"))


def ids(tasks: list[Task]) -> list[str]:
    return [t.external_id for t in tasks]


# --- mark and unmark gold


def test_three_ticked_tasks_become_gold_with_their_accepted_first_choice(
    page: Client, tm: Project, reviewer: User, annotator: User
) -> None:
    tasks = add_tasks(tm, task_line("g1"), task_line("g2"), task_line("g3"), task_line("not-ticked"))
    for task, first in zip(tasks, "ABA", strict=False):
        judge(task, annotator, first, reviewer=reviewer)

    answer = page.post(
        f"/projects/{tm.slug}/tasks/?q=add", {"action": "mark_gold", "task": ["g1", "g2", "g3"]}, follow=True
    )

    assert answer.redirect_chain == [(f"/projects/{tm.slug}/tasks/?q=add", 302)]
    assert messages_of(answer) == ["3 tasks marked gold."]
    assert gold("g1", "g2", "g3", "not-ticked") == {
        "g1": {"preferred": "A"},
        "g2": {"preferred": "B"},
        "g3": {"preferred": "A"},
        "not-ticked": None,
    }


def test_mark_gold_refuses_tasks_without_an_accepted_majority_and_names_each(
    tm: Project, reviewer: User, annotator: User, annotator2: User, annotator3: User
) -> None:
    Project.objects.filter(pk=tm.pk).update(overlap=3)
    tm.refresh_from_db()
    names = ("unjudged", "unreviewed", "rejected", "split", "majority", "tied", "already")
    _, unreviewed, rejected, split, majority, tied, already = add_tasks(tm, *(task_line(i) for i in names))
    judge(unreviewed, annotator, "A")
    judge(rejected, annotator, "A", reviewer=reviewer, verdict="reject")
    judge(split, annotator, "A", reviewer=reviewer)
    judge(split, annotator2, "B", reviewer=reviewer)
    judge(majority, annotator, "B", reviewer=reviewer)
    judge(majority, annotator2, "B", reviewer=reviewer)
    judge(majority, annotator3, "A", reviewer=reviewer)
    tie = claim(tied, annotator)
    submit_judgment(tie, ranking=[sorted(tie.response_order)])
    review.review_judgment(assignment=tie, reviewer=reviewer, verdict="accept")
    services.mark_gold(task=already, preferred="B")

    result = manager.bulk_action(project=tm, action="mark_gold", task_ids=list(names))

    assert (result.matched, result.done) == (7, 1)
    assert gold("majority", "already", "split") == {
        "majority": {"preferred": "B"},
        "already": {"preferred": "B"},
        "split": None,
    }
    assert result.refused == [
        ("unjudged", "has no accepted judgment"),
        ("unreviewed", "has no accepted judgment"),
        ("rejected", "has no accepted judgment"),
        ("split", "has no majority first choice among 2 accepted judgments (A 1, B 1)"),
        ("tied", "has no majority first choice among 1 accepted judgment (none)"),
        ("already", "is already gold (its answer is kept)"),
    ]
    assert result.message.startswith("1 task marked gold; 6 refused: unjudged has no accepted judgment, unreviewed")


def test_the_summary_names_ten_refusals_and_counts_the_rest(tm: Project) -> None:
    add_tasks(tm, *(task_line(f"t-{i:02d}") for i in range(12)))

    result = manager.bulk_action(project=tm, action="unmark_gold", task_ids=[f"t-{i:02d}" for i in range(12)])

    assert result.message == (
        "0 tasks no longer gold; 12 refused: " + ", ".join(f"t-{i:02d} is not gold" for i in range(10)) + ", and 2 more"
    )


def test_unmark_gold_on_a_filter(page: Client, tm: Project) -> None:
    a, b, _ = add_tasks(tm, task_line("a"), task_line("b"), task_line("c"))
    services.mark_gold(task=a, preferred="A")
    services.mark_gold(task=b, last="B")

    status, result = api_bulk(page, tm, action="unmark_gold", filter={"status": "gold"}, expected_count=2)

    assert status == 200 and result == {
        "action": "unmark_gold",
        "matched": 2,
        "done": 2,
        "refused": [],
        "message": "2 tasks no longer gold",
    }
    assert gold("a", "b", "c") == {"a": None, "b": None, "c": None}


# --- retire and re-release


def test_retire_takes_tasks_out_of_the_queue_and_resolves_their_flags(
    tm: Project, annotator: User, annotator2: User
) -> None:
    flagged, _, retired, kept = add_tasks(tm, *(task_line(i) for i in ("flagged", "plain", "retired", "kept")))
    flag(flagged, annotator)
    queue.retire_task(task=retired)

    result = manager.bulk_action(project=tm, action="retire", task_ids=["flagged", "plain", "retired"])

    assert (result.done, result.refused) == (2, [("retired", "is already retired")])
    assert set(Task.objects.filter(retired_at__isnull=False).values_list("external_id", flat=True)) == {
        "flagged",
        "plain",
        "retired",
    }
    assert TaskFlag.objects.get(task=flagged).resolution == TaskFlag.Resolution.RETIRED
    assert [queue.claim_next_assignment(project=tm, annotator=a).task for a in (annotator2, annotator)] == [kept, kept]


def test_re_release_clears_retirement_and_resolves_open_flags_as_released(
    tm: Project, lead: User, annotator: User, annotator2: User
) -> None:
    flagged, retired, plain = add_tasks(tm, task_line("flagged"), task_line("retired"), task_line("plain"))
    flag(flagged, annotator)
    queue.retire_task(task=retired)
    queue.skip_assignment(assignment=claim(plain, annotator2), reason="later")

    token = Client(enforce_csrf_checks=True, headers=token_header(lead))  # a token needs no CSRF token

    status, result = api_bulk(token, tm, action="release", task_ids=["flagged", "retired", "plain"])

    assert status == 200 and (result["done"], result["refused"]) == (
        2,
        [{"id": "plain", "reason": "is neither retired nor flagged"}],
    )
    assert TaskFlag.objects.get(task=flagged).resolution == TaskFlag.Resolution.RELEASED
    assert not Task.objects.filter(retired_at__isnull=False).exists()
    offered = {t.pk for t in queue.offerable(tm)}
    assert {flagged.pk, retired.pk} <= offered


# --- priority


def test_set_priority_on_every_task_a_filter_matches(page: Client, tm: Project) -> None:
    add_tasks(tm, task_line("js-1", language="javascript"), task_line("js-2", language="javascript"), task_line("py"))

    status, result = api_bulk(page, tm, action="set_priority", filter={"language": "javascript"}, priority=7)

    assert status == 200 and result["message"] == "2 tasks set to priority 7"
    assert dict(Task.objects.values_list("external_id", "priority")) == {"js-1": 7, "js-2": 7, "py": 0}


@pytest.mark.parametrize("priority", [None, 40000])
def test_set_priority_needs_a_priority_in_range(tm: Project, priority: int | None) -> None:
    add_tasks(tm, task_line("t"))

    with pytest.raises(manager.BulkRefused, match="priority: give a whole number from -32768 to 32767"):
        manager.bulk_action(project=tm, action="set_priority", task_ids=["t"], priority=priority)


def test_the_page_sets_priority_and_refuses_a_priority_that_is_no_number(page: Client, tm: Project) -> None:
    add_tasks(tm, task_line("a"), task_line("b"))

    done = page.post(
        f"/projects/{tm.slug}/tasks/", {"action": "set_priority", "priority": "3", "task": ["b"]}, follow=True
    )
    refused = page.post(
        f"/projects/{tm.slug}/tasks/", {"action": "set_priority", "priority": "hi", "task": ["a"]}, follow=True
    )

    assert messages_of(done) == ["1 task set to priority 3."]
    assert messages_of(refused) == ["Nothing done: priority: 'hi' is not a whole number."]
    assert dict(Task.objects.values_list("external_id", "priority")) == {"a": 0, "b": 3}


# --- delete


def test_delete_removes_tasks_nobody_worked_on_and_lists_the_others(
    page: Client, tm: Project, annotator: User, annotator2: User
) -> None:
    fresh, skipped, judged, _ = add_tasks(tm, *(task_line(i) for i in ("fresh", "skipped", "judged", "other")))
    queue.skip_assignment(assignment=claim(skipped, annotator), reason="cannot judge this")
    judge(judged, annotator2, "A")

    answer = page.post(
        f"/projects/{tm.slug}/tasks/", {"action": "delete", "task": ["fresh", "skipped", "judged"]}, follow=True
    )

    assert messages_of(answer) == [
        "1 task deleted; 2 refused: skipped has work on it (retire it instead), "
        "judged has work on it (retire it instead)."
    ]
    assert sorted(Task.objects.values_list("external_id", flat=True)) == ["judged", "other", "skipped"]
    assert not Response.objects.filter(task_id=fresh.pk).exists()
    assert Assignment.objects.count() == 2


# --- choosing the tasks


def test_acting_on_a_filter_first_shows_the_count_then_acts_on_exactly_that_many(page: Client, tm: Project) -> None:
    add_tasks(tm, task_line("keep-1"), task_line("drop-1"), task_line("drop-2"))
    url = f"/projects/{tm.slug}/tasks/?id=drop"

    confirm = page.post(url, {"action": "delete", "scope": "filter"})
    assert Task.objects.count() == 3
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Delete (tasks without work): 2 tasks?" in html
    assert 'name="expected" value="2"' in html and "id starts with: <code>drop</code>" in html

    done = page.post(url, {"action": "delete", "scope": "filter", "expected": "2"}, follow=True)

    assert messages_of(done) == ["2 tasks deleted."]
    assert list(Task.objects.values_list("external_id", flat=True)) == ["keep-1"]


def test_a_filter_that_now_matches_another_count_does_nothing(page: Client, tm: Project) -> None:
    add_tasks(tm, task_line("drop-1"), task_line("drop-2"))
    url = f"/projects/{tm.slug}/tasks/?id=drop"
    page.post(url, {"action": "retire", "scope": "filter"})
    add_tasks(tm, task_line("drop-3"))  # imported meanwhile

    answer = page.post(url, {"action": "retire", "scope": "filter", "expected": "2"}, follow=True)
    status, body = api_bulk(page, tm, action="retire", filter={"id": "drop"}, expected_count=2)

    assert messages_of(answer) == ["Nothing done: the filter now matches 3 tasks, not 2: look at the list again."]
    assert (status, body) == (409, {"detail": "the filter now matches 3 tasks, not 2: look at the list again"})
    assert not Task.objects.filter(retired_at__isnull=False).exists()


def test_ids_of_no_task_of_the_project_are_refused_and_other_projects_are_untouched(
    page: Client, tm: Project, lead: User
) -> None:
    add_tasks(tm, task_line("mine"))
    elsewhere = services.create_project(slug="elsewhere", name="Elsewhere", lead=lead)
    add_tasks(elsewhere, task_line("theirs"))

    status, body = api_bulk(page, tm, action="retire", task_ids=["mine", "theirs", "mine"])

    assert status == 200 and (body["matched"], body["done"]) == (2, 1)
    assert body["refused"] == [{"id": "theirs", "reason": "is not a task of this project"}]
    assert not Task.objects.get(project=elsewhere).retired_at


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"action": "retire"}, "give either task_ids or filter"),
        ({"action": "retire", "task_ids": ["a"], "filter": {}}, "give either task_ids or filter"),
        ({"action": "burn", "task_ids": ["a"]}, '"burn" is not a valid choice.'),
        ({"action": "set_priority", "task_ids": ["a"]}, "set_priority needs a priority"),
        ({"action": "retire", "filter": {"status": "done"}}, '"done" is not a valid choice.'),
    ],
)
def test_the_api_refuses_a_request_that_names_no_action_or_no_tasks(
    page: Client, tm: Project, body: dict[str, Any], error: str
) -> None:
    status, answer = api_bulk(page, tm, **body)

    assert status == 400 and error in str(answer)


def test_an_empty_selection_does_nothing_and_says_how_to_choose(page: Client, tm: Project) -> None:
    add_tasks(tm, task_line("a"))

    answer = page.post(f"/projects/{tm.slug}/tasks/", {"action": "retire"}, follow=True)
    status, body = api_bulk(page, tm, action="retire", task_ids=[])

    expected = "no task chosen: tick some tasks, or act on every task that matches the filter"
    assert messages_of(answer) == [f"Nothing done: {expected}."]
    assert (status, body) == (400, {"detail": expected})
    assert not Task.objects.filter(retired_at__isnull=False).exists()
