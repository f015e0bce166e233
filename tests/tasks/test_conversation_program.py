"""What the sandbox runs for a response: a conversation's prose answer runs its fenced code, anything else
runs whole; a test run hands exactly that to the sandbox, and the demo's conversation separates its
correct answers from the buggy one in a real container."""

from __future__ import annotations

import json

import pytest

from annotation.models import TestResult
from annotation.work import queue, runs
from sandbox.docker_backend import DockerBackend
from sandbox.results import Status
from sandbox.runner import run_suite
from tasks import services
from tasks.demo_tasks import DEMO_TASKS
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, Task, User, fenced_program, markdown_parts
from tests.conftest import make_user, task_line

PROSE = """\
First a helper:

```
def half(x):
    return x / 2
```

Then the function:

```py
def quarter(x):
    return half(half(x))
```

Run it with:

```bash
python -c 'print(quarter(8))'
```
"""


def test_it_joins_the_blocks_in_the_tasks_language_or_untagged_in_order() -> None:
    assert fenced_program(PROSE, "python") == (
        "def half(x):\n    return x / 2\n\ndef quarter(x):\n    return half(half(x))\n"
    )


def test_a_text_without_fences_has_no_program_and_one_in_another_language_an_empty_one() -> None:
    assert fenced_program("def f():\n    return 1\n", "python") is None
    assert fenced_program("Use:\n\n```bash\nls\n```\n", "python") == ""
    assert fenced_program("```js\nmodule.exports = 1;\n```", "javascript") == "module.exports = 1;\n"
    assert fenced_program("```python\nx = 1\n```", "javascript") == ""


def test_fences_follow_commonmark() -> None:
    text = (
        "~~~~python\n"  # a tilde fence, closed only by at least as many tildes
        "a = '''\n```\n'''\n"
        "~~~\n"
        "~~~~\n"
        "  ```python\n"  # indented by two: the block loses two spaces of indentation
        "    b = 1\n"
        "  ```\n"
        "    ```python\n"  # four spaces: an indented code block, not a fence
        "``` python title=x\n"  # the tag is the first word of the info string
        "c = 2\n"
        "```\n"
        "``` not`a fence\n"  # a backtick fence's info string has no backtick
        "```Python\n"  # tags are case-insensitive; unclosed: runs to the end
        "d = 3"
    )

    assert markdown_parts(text) == [
        ("python", "a = '''\n```\n'''\n~~~"),
        ("python", "  b = 1"),
        (None, "    ```python"),
        ("python", "c = 2"),
        (None, "``` not`a fence"),
        ("python", "d = 3"),
    ]


@pytest.mark.django_db
def test_only_a_conversation_tasks_responses_are_read_as_prose(project: object) -> None:
    fenced = "Here:\n\n```python\ndef add(a, b):\n    return a + b\n```\n"
    single = task_line("single", responses=[{"model": "m", "code": fenced}, {"model": "n", "code": "x = 1\n"}])
    chat = task_line("chat", responses=[{"model": "m", "code": fenced}, {"model": "n", "code": "x = 1\n"}])
    del chat["prompt"]
    chat["messages"] = [{"role": "user", "content": "Write add."}]
    import_tasks(project=project, lines=[json.dumps(single), json.dumps(chat)])  # type: ignore[arg-type]

    programs = {(t.external_id, r.model_name): r.program() for t in Task.objects.all() for r in t.responses.all()}

    assert programs == {
        ("single", "m"): fenced,  # a single-prompt task's response is code by contract: it runs whole
        ("single", "n"): "x = 1\n",
        ("chat", "m"): "def add(a, b):\n    return a + b\n",
        ("chat", "n"): "x = 1\n",  # no fences: runs whole, as today
    }


@pytest.mark.django_db
def test_a_test_run_hands_each_responses_program_and_the_ideal_ones_to_the_sandbox() -> None:
    user = make_user("chatter")
    project = services.create_project(slug="chat-runs", name="Chat runs", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    line = task_line("c", responses=[{"model": "prose", "code": PROSE}, {"model": "code", "code": "y = 2\n"}])
    del line["prompt"]
    line["messages"] = [{"role": "user", "content": "Write quarter(x)."}]
    import_tasks(project=project, lines=[json.dumps(line)])
    assignment = queue.claim_next_assignment(project=project, annotator=user)

    run = runs.run_tests(
        assignment=assignment, code="def test_x():\n    pass\n", ideal_solution="Mine:\n```python\nz = 3\n```\n"
    )

    sent = {
        (r.response.model_name if r.response else "ideal"): r.execution.solution
        for r in TestResult.objects.filter(test_run=run).select_related("response", "execution")
        if r.execution is not None
    }
    assert sent == {"prose": fenced_program(PROSE, "python"), "code": "y = 2\n", "ideal": "z = 3\n"}


DEMO = next(t for t in DEMO_TASKS if "messages" in t)


@pytest.mark.django_db
def test_the_demo_has_a_multi_turn_conversation_with_prose_answers(lead: User) -> None:
    project = services.create_project(slug="demo-chat", name="Chat", lead=lead, ranking_mode=RankingMode.RANKING)
    import_tasks(project=project, lines=[json.dumps(DEMO)])

    task = Task.objects.get(project=project)
    assert [m["role"] for m in task.messages] == ["system", "user", "assistant", "user"]
    assert all(fenced_program(r.code, task.language) for r in task.responses.all())
    assert all(not r.code.lstrip().startswith("```") for r in task.responses.all())  # prose around the code


def test_the_demo_conversations_reference_tests_run_on_each_answers_program(backend: DockerBackend) -> None:
    notes = DEMO["metadata"]["notes"]
    for response in DEMO["responses"]:
        program = fenced_program(response["code"], DEMO["language"])
        assert program
        result = run_suite(
            language=DEMO["language"], solution=program, tests=DEMO["metadata"]["reference_tests"], backend=backend
        )
        expected = Status.FAILED if notes[response["model"]].startswith("bug") else Status.PASSED
        assert result.status == expected, (response["model"], result.message, result.tests)
    # the whole answer is no program: what makes a correct one pass is running its fences
    correct = next(r for r in DEMO["responses"] if notes[r["model"]] == "correct")
    whole = run_suite(
        language=DEMO["language"], solution=correct["code"], tests=DEMO["metadata"]["reference_tests"], backend=backend
    )
    assert whole.status != Status.PASSED
