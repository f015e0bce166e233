"""Who may search and who may act: reviewers and leads see the list, only leads act on it; a non-member
gets 404, a member whose role is too low 403. Every text from a task file is escaped."""

from __future__ import annotations

import pytest
from django.test import Client

from tasks.models import Project, Task, User
from tests.annotation.manager.conftest import MARKUP, add_tasks, token_header
from tests.conftest import task_line

WHO = ["outsider", "annotator", "reviewer", "lead", "staff"]


def as_user(request: pytest.FixtureRequest, who: str) -> Client:
    client = Client()
    client.force_login(request.getfixturevalue(who))
    return client


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, [404, 403, 200, 200, 200], strict=True)))
def test_reviewers_and_leads_open_the_page_and_the_search(
    request: pytest.FixtureRequest, tm: Project, who: str, status: int
) -> None:
    add_tasks(tm, task_line("t"))
    user = request.getfixturevalue(who)
    by_token = Client(headers=token_header(user))

    page = as_user(request, who).get(f"/projects/{tm.slug}/tasks/")
    search = by_token.get(f"/api/v1/projects/{tm.slug}/tasks/search")

    assert (page.status_code, search.status_code) == (status, status)


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, [404, 403, 403, 302, 302], strict=True)))
def test_only_leads_act_on_tasks_from_the_page(
    request: pytest.FixtureRequest, tm: Project, who: str, status: int
) -> None:
    add_tasks(tm, task_line("t"))

    answer = as_user(request, who).post(f"/projects/{tm.slug}/tasks/", {"action": "retire", "task": ["t"]})

    assert answer.status_code == status
    assert Task.objects.get().retired_at is not None if status == 302 else Task.objects.get().retired_at is None


@pytest.mark.parametrize(("who", "status"), list(zip(WHO, [404, 403, 403, 200, 200], strict=True)))
def test_only_leads_act_on_tasks_through_the_api(
    request: pytest.FixtureRequest, tm: Project, who: str, status: int
) -> None:
    add_tasks(tm, task_line("t"))
    client = Client(headers=token_header(request.getfixturevalue(who)))

    answer = client.post(
        f"/api/v1/projects/{tm.slug}/tasks/bulk",
        {"action": "retire", "task_ids": ["t"]},
        content_type="application/json",
    )

    assert answer.status_code == status
    assert (Task.objects.get().retired_at is not None) == (status == 200)


def test_anonymous_callers_log_in_first(client: Client, tm: Project) -> None:
    page = client.get(f"/projects/{tm.slug}/tasks/")
    search = client.get(f"/api/v1/projects/{tm.slug}/tasks/search")
    bulk = client.post(f"/api/v1/projects/{tm.slug}/tasks/bulk", {}, content_type="application/json")

    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert (search.status_code, bulk.status_code) == (401, 401)


def test_reviewers_see_the_list_without_the_actions(request: pytest.FixtureRequest, tm: Project) -> None:
    add_tasks(tm, task_line("t"))

    as_reviewer = as_user(request, "reviewer").get(f"/projects/{tm.slug}/tasks/").content.decode()
    as_lead = as_user(request, "lead").get(f"/projects/{tm.slug}/tasks/").content.decode()

    assert 'name="task"' not in as_reviewer and 'id="bulk"' not in as_reviewer and ">t</a>" in as_reviewer
    assert 'name="task" value="t"' in as_lead and 'id="bulk"' in as_lead


def test_the_project_page_links_the_task_manager_for_reviewers_and_leads(
    request: pytest.FixtureRequest, tm: Project
) -> None:
    link = f'href="/projects/{tm.slug}/tasks/"'

    shown = {who: link in as_user(request, who).get(f"/projects/{tm.slug}/").content.decode() for who in WHO[1:]}

    assert shown == {"annotator": False, "reviewer": True, "lead": True, "staff": True}


def test_every_bulk_form_needs_its_csrf_token(tm: Project, lead: User) -> None:
    add_tasks(tm, task_line("t"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(lead)

    answer = strict.post(f"/projects/{tm.slug}/tasks/", {"action": "retire", "task": ["t"]})
    by_session = strict.post(
        f"/api/v1/projects/{tm.slug}/tasks/bulk",
        {"action": "retire", "task_ids": ["t"]},
        content_type="application/json",
    )

    assert (answer.status_code, by_session.status_code) == (403, 403)
    assert Task.objects.get().retired_at is None


def test_ids_prompts_models_and_the_filter_are_escaped_everywhere(request: pytest.FixtureRequest, tm: Project) -> None:
    markup_id = '<b onmouseover="alert(1)">t'  # no "/": a task id is one segment of its page's URL
    add_tasks(
        tm,
        task_line(
            markup_id,
            prompt=f"Prompt {MARKUP}",
            responses=[{"model": f"m{MARKUP}", "code": "x = 1"}, {"model": "plain", "code": "y = 2"}],
        ),
    )
    lead = as_user(request, "lead")
    url = f"/projects/{tm.slug}/tasks/"

    listed = lead.get(url, {"model": f"m{MARKUP}", "id": "<b"}).content.decode()
    searched = lead.get(url, {"q": MARKUP}).content.decode()
    refused = lead.post(f"{url}?q=%3Cscript%3E", {"action": "unmark_gold", "task": [markup_id, MARKUP]}, follow=True)
    confirm = lead.post(f"{url}?q=%3Cscript%3E", {"action": "retire", "scope": "filter"}).content.decode()

    assert 'value="&lt;b onmouseover=&quot;alert(1)&quot;&gt;t"' in listed and "Prompt &lt;script&gt;" in listed
    assert '<option value="m&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" selected>' in listed
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in searched
    assert "&lt;b onmouseover=&quot;alert(1)&quot;&gt;t is not gold" in refused.content.decode()
    assert "text: <code>&lt;script&gt;</code>" in confirm
    for html in (listed, searched, refused.content.decode(), confirm):
        assert "<script>" not in html and "<b onmouseover" not in html
