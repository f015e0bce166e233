"""A conversation task is shown as a thread, the same to the annotator, the reviewer and on the task page,
with every turn's text escaped and its fenced code highlighted; the annotator's API gives its turns."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import Assignment
from annotation.work import queue
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import submit_judgment, task_line

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"
MESSAGES = [
    {"role": "system", "content": f"Be terse. {EVIL}"},
    {"role": "user", "content": f"Write `add(a, b)`. {EVIL}\n\n```python\nprint('{EVIL}')\n```"},
    {"role": "assistant", "content": f"Sure:\n\n```python\ndef add(a, b):\n    return a - b  # {EVIL}\n```"},
    {"role": "user", "content": "It subtracts: **fix it**."},
]
PROSE = f"Fixed {EVIL}:\n\n```python\ndef add(a, b):\n    return a + b\n```\n"


@pytest.fixture
def chat(lead: User, reviewer: User, annotator: User) -> Project:
    project = services.create_project(
        slug="chat", name="Chat", lead=lead, ranking_mode=RankingMode.RANKING, min_tests=0, min_rationale_chars=10
    )
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    services.add_member(project=project, user=annotator, role=Role.ANNOTATOR)
    line = task_line("c1", responses=[{"model": "m1", "code": PROSE}, {"model": "m2", "code": "x = 1\n"}])
    del line["prompt"]
    line["messages"] = MESSAGES
    import_tasks(project=project, lines=[json.dumps(line), json.dumps(task_line("single"))])
    return project


def claim(project: Project, annotator: User) -> Assignment:
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    assert assignment.task.external_id == "c1"
    return assignment


def turns(html: str) -> list[tuple[str, str]]:
    """(role class, role label) of each turn of the thread, in order."""
    return re.findall(r'<li class="turn turn-(\w+)"><div class="turn-role">(\w+)</div>', html)


def assert_thread(html: str) -> None:
    assert turns(html) == [("system", "System"), ("user", "User"), ("assistant", "Assistant"), ("user", "User")]
    assert "Each response is the next <strong>Assistant</strong> turn" in html
    assert "<strong>fix it</strong>" in html  # Markdown
    assert '<span class="k">def</span>' in html.split('class="turns"')[1]  # a turn's fenced code, highlighted
    assert "<script>alert" not in html and "<img src=x" not in html
    # Markup in a turn's prose is dropped by the sanitizer (as in a single prompt); in its code, and in the
    # response's panel, it is text: the user's and the assistant's fenced code, and the response.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;") >= 3
    assert "<p>Be terse. </p>" in html


def test_the_annotator_sees_the_thread(client: Client, chat: Project, annotator: User) -> None:
    assignment = claim(chat, annotator)
    client.force_login(annotator)

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert_thread(html)


def test_the_reviewer_sees_the_same_thread_and_the_prose_answer_as_markdown(
    client: Client, chat: Project, annotator: User, reviewer: User
) -> None:
    assignment = claim(chat, annotator)
    submit_judgment(assignment)
    client.force_login(reviewer)

    html = client.get(f"/review/{assignment.pk}/").content.decode()

    assert_thread(html)
    prose, code = (html.split(f'<span class="muted">{m}</span>')[1].split("</section>")[0] for m in ("m1", "m2"))
    assert '<td class="ln">1</td>' in prose and '<td class="ln">1</td>' in code  # line numbers on both
    assert '<span class="sb">```</span>' in prose  # the Markdown lexer: a fence is a fence, not Python errors
    assert 'class="n">Fixed</span>' not in prose and 'class="n">x</span>' in code  # x = 1 is Python
    assert '<span class="k">def</span>' in prose  # the fenced code inside the prose, highlighted as Python


def test_the_task_page_shows_the_thread_and_a_single_prompt_as_before(
    client: Client, chat: Project, reviewer: User
) -> None:
    client.force_login(reviewer)

    html = client.get(f"/projects/{chat.slug}/tasks/c1/").content.decode()
    single = client.get(f"/projects/{chat.slug}/tasks/single/").content.decode()

    assert_thread(html)
    assert '<section class="card prose prompt"><p>Write <code>add(a, b)</code> for single.</p></section>' in single
    assert 'class="turn' not in single


def test_the_annotators_api_gives_the_turns(client: Client, chat: Project, annotator: User) -> None:
    assignment = claim(chat, annotator)
    token = Token.objects.get_or_create(user=annotator)[0].key

    task = client.get(f"/api/v1/assignments/{assignment.pk}", headers={"Authorization": f"Token {token}"}).json()[
        "task"
    ]

    assert task["messages"] == MESSAGES
    assert task["prompt"].startswith("System:\nBe terse.") and task["id"] == "c1"
