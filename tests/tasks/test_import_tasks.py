"""The import service: all or nothing, every problem as "line N: ..."."""

import json

import pytest

from tasks.importing import ImportRejected, import_tasks
from tasks.models import Project, Task
from tests.conftest import jsonl, task_line


def rejected(project: Project, body: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_tasks(project=project, lines=body.split(b"\n"))
    return info.value.errors


def test_it_creates_tasks_with_labelled_responses(project: Project) -> None:
    body = jsonl(task_line("t1", responses=3), task_line("t2", language="javascript"))

    result = import_tasks(project=project, lines=body.split(b"\n"))

    assert result.created == 2
    task = Task.objects.get(project=project, external_id="t1")
    # Labels are drawn at random per task (tests/tasks/test_import_streaming.py): look them up by model.
    labels = dict(task.responses.values_list("model_name", "label"))
    assert sorted(labels) == ["model-0", "model-1", "model-2"]
    assert sorted(labels.values()) == ["A", "B", "C"]
    assert task.metadata == {"source": "test"}
    assert Task.objects.get(external_id="t2").language == "javascript"


def test_it_writes_nothing_when_one_line_is_bad(project: Project) -> None:
    body = jsonl(task_line("t1"), task_line("t2"), "{not json", task_line("t4"))

    errors = rejected(project, body)

    assert errors == ["line 3: invalid JSON: Expecting property name enclosed in double quotes (column 2)"]
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("[1, 2]", "line 2: expected a JSON object, got a list"),
        (task_line("x", prompt=None), 'line 2: "prompt" must be a string, got null'),
        ({k: v for k, v in task_line("x").items() if k != "language"}, 'line 2: missing field "language"'),
        (task_line("x", language="ruby"), 'line 2: unknown language "ruby" (supported: javascript, python)'),
        (task_line("x", responses=1), "line 2: a task needs 2 to 8 responses, this one has 1"),
        (task_line("x", responses=9), "line 2: a task needs 2 to 8 responses, this one has 9"),
        (task_line("x", responses="nope"), 'line 2: "responses" must be a list, got a string'),
        (
            task_line("x", responses=[{"model": "m"}, {"model": "n", "code": "x"}]),
            'line 2: missing field "responses[0].code"',
        ),
        (
            task_line("x", responses=[{"model": "m", "code": "  "}, {"model": "n", "code": "x"}]),
            'line 2: "responses[0].code" is empty',
        ),
        (task_line("x", id=""), 'line 2: "id" is empty'),
        (task_line("x", id=7), 'line 2: "id" must be a string, got a number'),
        (task_line("x", metadata=[1]), 'line 2: "metadata" must be an object, got a list'),
        (
            task_line("x", extra=1),
            'line 2: unknown field "extra" (allowed: id, prompt, messages, language, responses, metadata)',
        ),
    ],
)
def test_it_names_the_problem_and_the_line(project: Project, line: object, error: str) -> None:
    assert rejected(project, jsonl(task_line("ok"), line)) == [error]


def test_it_reports_every_bad_line_in_order(project: Project) -> None:
    body = jsonl(task_line("a", language="go"), task_line("b"), "nope", task_line("b"))

    assert rejected(project, body) == [
        'line 1: unknown language "go" (supported: javascript, python)',
        "line 3: invalid JSON: Expecting value (column 1)",
        'line 4: duplicate id "b" (first seen on line 2)',
    ]


def test_it_rejects_ids_already_in_the_project(project: Project) -> None:
    import_tasks(project=project, lines=[json.dumps(task_line("t1"))])

    errors = rejected(project, jsonl(task_line("t0"), task_line("t1")))

    assert errors == ['line 2: id "t1" already exists in project "py-rank"']
    assert list(Task.objects.values_list("external_id", flat=True)) == ["t1"]


def test_the_same_id_may_live_in_two_projects(project: Project, other_project: Project) -> None:
    import_tasks(project=project, lines=[json.dumps(task_line("t1"))])
    import_tasks(project=other_project, lines=[json.dumps(task_line("t1"))])

    assert Task.objects.filter(external_id="t1").count() == 2


def test_it_rejects_code_over_the_size_limit(project: Project, settings: object) -> None:
    settings.IMPORT_MAX_CODE_BYTES = 100  # type: ignore[attr-defined]
    big = task_line("big", responses=[{"model": "m", "code": "x" * 101}, {"model": "n", "code": "ok"}])

    assert rejected(project, jsonl(big)) == [
        'line 1: "responses[0].code" is 101 bytes; the limit is 100 (IMPORT_MAX_CODE_BYTES)'
    ]


def test_it_skips_blank_lines_and_a_byte_order_mark_but_counts_them(project: Project) -> None:
    body = b"\xef\xbb\xbf" + jsonl(task_line("a")) + b"\n   \n" + jsonl("{oops")

    assert rejected(project, body) == [
        "line 4: invalid JSON: Expecting property name enclosed in double quotes (column 2)"
    ]


def test_it_rejects_bytes_that_are_not_utf8(project: Project) -> None:
    body = jsonl(task_line("a")) + b'{"id": "\xff"}\n'

    assert rejected(project, body) == ["line 2: not valid UTF-8 (byte 0xff at column 9)"]


def test_an_empty_file_is_an_error(project: Project) -> None:
    assert rejected(project, b"\n\n") == ["the file has no tasks: expected one JSON object per line"]


def test_a_dry_run_checks_everything_and_writes_nothing(project: Project) -> None:
    result = import_tasks(project=project, lines=jsonl(task_line("a"), task_line("b")).split(b"\n"), dry_run=True)

    assert (result.created, result.total, [t.external_id for t in result.preview]) == (0, 2, ["a", "b"])
    assert Task.objects.count() == 0


def test_unicode_survives_the_round_trip(project: Project) -> None:
    line = task_line(
        "ü-1",
        prompt="Écris une fonction — 日本語 🚀",
        responses=[{"model": "m", "code": "s = 'ñ'\n"}, {"model": "n", "code": "s = '\\u00f1'\n"}],
    )

    import_tasks(project=project, lines=jsonl(line).split(b"\n"))

    task = Task.objects.get(external_id="ü-1")
    assert task.prompt == "Écris une fonction — 日本語 🚀"
    assert task.responses.get(model_name="m").code == "s = 'ñ'\n"


def test_a_pairwise_project_takes_exactly_two_responses(other_project: Project) -> None:
    errors = rejected(other_project, jsonl(task_line("two"), task_line("three", responses=3)))

    assert errors == [
        'line 2: project "secret-js" compares pairs: a task needs exactly 2 responses, this one has 3 '
        "(use a project in n-way ranking mode)"
    ]
