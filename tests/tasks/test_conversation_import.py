"""Conversation tasks in the import: "messages" instead of "prompt", checked line by line, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tasks.importing import MAX_MESSAGES, ImportRejected, import_tasks
from tasks.models import Project, Task, User, thread_text
from tests.conftest import jsonl, task_line

THREAD = [
    {"role": "system", "content": "You review Python."},
    {"role": "user", "content": "Write `add(a, b)`."},
    {"role": "assistant", "content": "```python\ndef add(a, b):\n    return a - b\n```\n"},
    {"role": "user", "content": "That subtracts. Fix it."},
]


def conversation(external_id: str = "c1", messages: Any = THREAD, **fields: Any) -> dict[str, Any]:
    line = task_line(external_id, messages=messages, **fields)
    del line["prompt"]
    return line


def errors(project: Project, *lines: Any) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_tasks(project=project, lines=jsonl(*lines).split(b"\n"))
    return info.value.errors


def test_it_stores_the_turns_and_their_plain_text_as_the_prompt(project: Project) -> None:
    import_tasks(project=project, lines=jsonl(conversation(), task_line("single")).split(b"\n"))

    task = Task.objects.get(external_id="c1")
    assert task.messages == THREAD
    assert task.prompt == (
        "System:\nYou review Python.\n\n"
        "User:\nWrite `add(a, b)`.\n\n"
        "Assistant:\n```python\ndef add(a, b):\n    return a - b\n```\n\n"
        "User:\nThat subtracts. Fix it."
    )
    assert task.prompt == thread_text(THREAD)
    single = Task.objects.get(external_id="single")
    assert single.messages == [] and single.prompt == "Write `add(a, b)` for single."


def test_a_single_user_turn_is_a_conversation_too(project: Project) -> None:
    import_tasks(project=project, lines=jsonl(conversation(messages=[{"role": "user", "content": "Hi"}])).split(b"\n"))

    assert Task.objects.get().messages == [{"role": "user", "content": "Hi"}]


def big(n: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": "x" * n}]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ("hello", '"messages" must be a list, got a string'),
        (None, '"messages" must be a list, got null'),
        ([], '"messages" is empty: a conversation needs at least a user message'),
        (
            [{"role": "user", "content": "x"}] * (MAX_MESSAGES + 1),
            f'"messages" has {MAX_MESSAGES + 1} messages; the limit is {MAX_MESSAGES}',
        ),
        (["hi"], "messages[0] must be an object, got a string"),
        (
            [{"role": "user", "content": "x", "name": "bob"}],
            'unknown field "messages[0].name" (allowed: role, content)',
        ),
        ([{"content": "x"}], 'missing field "messages[0].role"'),
        ([{"role": "bot", "content": "x"}], '"messages[0].role" must be one of system, user, assistant, got "bot"'),
        ([{"role": "User", "content": "x"}], '"messages[0].role" must be one of system, user, assistant, got "User"'),
        ([{"role": "user"}], 'missing field "messages[0].content"'),
        ([{"role": "user", "content": " \n"}], '"messages[0].content" is empty'),
        ([{"role": "user", "content": 5}], '"messages[0].content" must be a string, got a number'),
        (
            [THREAD[1], {"role": "system", "content": "late"}, THREAD[3]],
            "messages[1] is a system message: only the first message may be one",
        ),
        (
            THREAD[:3],
            "the last message must be the user's (each response is the next assistant turn); "
            "messages[2] is the assistant's",
        ),
        (
            [THREAD[0]],
            "the last message must be the user's (each response is the next assistant turn); "
            "messages[0] is the system's",
        ),
    ],
)
def test_each_message_is_checked(project: Project, messages: Any, error: str) -> None:
    assert errors(project, task_line("ok"), conversation(messages=messages)) == [f"line 2: {error}"]
    assert Task.objects.count() == 0  # all or nothing: the good first line is not written either


def test_it_takes_a_prompt_or_messages_but_not_both_or_neither(project: Project) -> None:
    neither = task_line("n")
    del neither["prompt"]

    assert errors(project, task_line("b", messages=THREAD), neither) == [
        'line 1: give "prompt" or "messages", not both (a conversation\'s prompt is made from its messages)',
        'line 2: missing field "prompt" (or "messages" for a conversation)',
    ]


def test_the_conversation_is_held_to_the_prompt_limit(project: Project, settings: Any) -> None:
    settings.IMPORT_MAX_PROMPT_BYTES = 100
    one_turn_over = big(101)
    # each turn fits alone, but their text with the role headers and blank lines does not
    together_over = [{"role": "user", "content": "x" * 50}, {"role": "assistant", "content": "y" * 50}, big(1)[0]]
    at_limit = [{"role": "user", "content": "x" * (100 - len("User:\n"))}]

    assert errors(project, conversation("a", one_turn_over), conversation("b", together_over)) == [
        'line 1: "messages[0].content" is 101 bytes; the limit is 100 (IMPORT_MAX_PROMPT_BYTES)',
        'line 2: "messages" is 128 bytes as text; the limit is 100 (IMPORT_MAX_PROMPT_BYTES)',
    ]
    assert import_tasks(project=project, lines=jsonl(conversation("c", at_limit)).split(b"\n")).created == 1


def test_the_api_imports_conversations(client: Client, lead: User, project: Project) -> None:
    token = Token.objects.get_or_create(user=lead)[0].key
    answer = client.post(
        f"/api/v1/projects/{project.slug}/tasks/import",
        jsonl(conversation()),
        content_type="application/x-ndjson",
        headers={"Authorization": f"Token {token}"},
    )

    assert answer.status_code == 201
    assert Task.objects.get().messages == THREAD
    listed = client.get(f"/api/v1/projects/{project.slug}/tasks/", headers={"Authorization": f"Token {token}"})
    assert listed.json()["results"][0]["messages"] == THREAD


def test_the_import_page_previews_a_conversation_with_its_turns_escaped(
    client: Client, lead: User, project: Project
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    evil = [{"role": "user", "content": "<script>alert(1)</script> please"}]
    client.force_login(lead)
    upload = SimpleUploadedFile("c.jsonl", jsonl(conversation(messages=evil)), content_type="application/x-ndjson")

    html = client.post(f"/projects/{project.slug}/import/", {"file": upload}).content.decode()

    assert "1 task ready to import" in html
    assert "1 turn" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
