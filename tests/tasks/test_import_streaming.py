"""The import at scale (issue 11, finding 7, and finding 1's labels): it streams its lines (memory does
not grow with the file), writes in short batches on SQLite while staying all or nothing, retries a write
that found the database locked, and draws each task's response labels at random."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.authtoken.models import Token

from tasks import importing, services
from tasks.importing import ImportRejected, import_tasks
from tasks.models import Project, RankingMode, Response, Task, User
from tests.conftest import jsonl, task_line

CODE = (
    "def solve(xs):\n    # a line of a longer solution, so that a task weighs about 2 kB\n    return sorted(xs)\n" * 20
)


def big_line(i: int) -> bytes:
    responses = [{"model": f"m{k}", "code": CODE + f"# {i}/{k}\n"} for k in range(2)]
    return json.dumps(task_line(f"big-{i}", responses=responses)).encode() + b"\n"


def write_file(path: Path, tasks: int) -> int:
    with path.open("wb") as out:
        for i in range(tasks):
            out.write(big_line(i))
    return path.stat().st_size


def peak_bytes(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def ranking(lead: User) -> Project:
    return services.create_project(slug="stream", name="Stream", lead=lead, ranking_mode=RankingMode.RANKING)


# --- Finding 7: flat memory


def test_a_dry_run_of_a_file_holds_a_fraction_of_the_file_in_memory(ranking: Project, tmp_path: Path) -> None:
    """Catches the tasks of the whole file kept in a list (the peak was about twice the file)."""
    path = tmp_path / "big.jsonl"
    size = write_file(path, 1000)  # about 4.5 MB

    with path.open("rb") as handle:
        peak = peak_bytes(lambda: import_tasks(project=ranking, lines=handle, dry_run=True))

    assert peak < size / 4, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_the_api_does_not_read_the_body_into_memory(client: Client, lead: User, ranking: Project) -> None:
    """Catches request.body split into a list of lines (about five times the body). The test client
    itself copies the body once, so the bound is that copy plus a fraction."""
    body = b"".join(big_line(i) for i in range(2000))
    headers = {"Authorization": f"Token {Token.objects.create(user=lead).key}"}
    answers: list[Any] = []

    def post(url: str) -> None:
        answers.append(client.post(url, body, content_type="application/x-ndjson", headers=headers))

    post("/ping")  # the client's first large body costs more than the next ones: warm it up
    peak = peak_bytes(lambda: post(f"/api/v1/projects/{ranking.slug}/tasks/import?dry_run=1"))
    answers.pop(0)

    assert answers[0].status_code == 200 and answers[0].json()["checked"] == 2000
    assert peak < len(body) * 1.5, f"peak {peak:,} bytes for a {len(body):,}-byte body"


def test_the_api_imports_a_streamed_body(client: Client, lead: User, ranking: Project) -> None:
    body = jsonl(task_line("a"), task_line("b", responses=3))

    answer = client.post(
        f"/api/v1/projects/{ranking.slug}/tasks/import",
        body,
        content_type="application/x-ndjson",
        headers={"Authorization": f"Token {Token.objects.create(user=lead).key}"},
    )

    assert answer.status_code == 201 and answer.json()["imported"] == 2
    assert Response.objects.filter(task__project=ranking).count() == 5


def test_lines_that_can_be_read_only_once_are_imported_too(ranking: Project) -> None:
    """A pipe (standard input of the command) cannot be read again: the first pass keeps a copy on disk."""
    items: list[bytes | str] = [json.dumps(task_line("p1")).encode(), b"\n", json.dumps(task_line("p2"))]
    lines = iter(items)

    result = import_tasks(project=ranking, lines=lines)

    assert result.created == 2
    assert set(Task.objects.values_list("external_id", flat=True)) == {"p1", "p2"}


def test_the_command_reads_a_file_from_where_it_stands(ranking: Project, tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_bytes(jsonl(task_line("skip-me"), task_line("c1"), task_line("c2")))

    with path.open("rb") as handle:
        handle.readline()  # a caller that consumed a header line: the second pass starts where the first did
        import_tasks(project=ranking, lines=handle)

    assert set(Task.objects.values_list("external_id", flat=True)) == {"c1", "c2"}


class Fickle(list[str]):
    """Lines that are different the second time they are read (a file rewritten during the import)."""

    reads = 0

    def __iter__(self) -> Iterator[str]:
        self.reads += 1
        items = list(super().__iter__())
        return iter(items if self.reads == 1 else [*items[:-1], json.dumps(task_line("swapped"))])


def test_lines_that_change_between_the_check_and_the_write_write_nothing(ranking: Project, monkeypatch: Any) -> None:
    monkeypatch.setattr(importing, "_BATCH", 2)
    lines = Fickle(json.dumps(task_line(f"f{i}")) for i in range(5))

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(project=ranking, lines=lines)

    assert rejected.value.errors == ["the file changed while it was imported: nothing was written, import it again"]
    assert not Task.objects.exists()


def test_a_file_of_many_bad_lines_keeps_only_the_first_errors_but_counts_them_all(ranking: Project) -> None:
    lines = ["{oops"] * 5000 + [json.dumps(task_line("fine"))]

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(project=ranking, lines=lines, dry_run=True)

    assert rejected.value.total == 5000
    assert len(rejected.value.errors) == importing.MAX_REPORTED_ERRORS
    assert rejected.value.errors[0].startswith("line 1: ") and rejected.value.errors[-1].startswith("line 200: ")


def test_clashes_with_the_project_are_found_in_every_batch_and_reported_in_line_order(
    ranking: Project, monkeypatch: Any
) -> None:
    monkeypatch.setattr(importing, "_BATCH", 3)
    import_tasks(project=ranking, lines=[json.dumps(task_line(i)) for i in ("x1", "x7")])

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(project=ranking, lines=[json.dumps(task_line(f"x{i}")) for i in range(8)])

    assert rejected.value.errors == [
        'line 2: id "x1" already exists in project "stream"',
        'line 8: id "x7" already exists in project "stream"',
    ]


# --- Finding 7: short write transactions on SQLite, all or nothing, retried when locked


def begins_during(action: Callable[[], object]) -> int:
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        action()
    return sum(1 for sql in statements if sql.upper().startswith("BEGIN"))


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_each_batch_is_its_own_transaction(lead: User, monkeypatch: Any) -> None:
    """Catches one transaction around the whole write, which held SQLite's only write lock for the whole
    import (39 s for 300,000 tasks) while every autosave and heartbeat waited, then failed."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writes the whole import in one transaction; readers and writers of other rows go on")
    project = services.create_project(slug="batched", name="B", lead=lead, ranking_mode=RankingMode.RANKING)
    monkeypatch.setattr(importing, "_BATCH", 10)
    lines = [json.dumps(task_line(f"b{i}")) for i in range(35)]

    begins = begins_during(lambda: import_tasks(project=project, lines=lines))

    assert Task.objects.filter(project=project).count() == 35
    assert begins >= 4  # 10 + 10 + 10 + 5


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_takes_the_earlier_batches_with_it(lead: User, monkeypatch: Any) -> None:
    """All or nothing with committed batches: another import takes one of our ids between our check and
    the third batch; what the first two wrote is deleted and the clash is named."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writes the whole import in one transaction, which a failed batch rolls back")
    project = services.create_project(slug="undo", name="U", lead=lead, ranking_mode=RankingMode.RANKING)
    monkeypatch.setattr(importing, "_BATCH", 10)
    original = importing._write_batch_alone
    calls = []

    def racing(project: Project, batch: list[importing.ParsedTask]) -> list[int]:
        calls.append(len(batch))
        if len(calls) == 3:  # the other import commits u25 just now, between our second and third batch
            Task.objects.create(project=project, external_id="u25", prompt="p", language="python")
        return original(project, batch)

    monkeypatch.setattr(importing, "_write_batch_alone", racing)

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(project=project, lines=[json.dumps(task_line(f"u{i}")) for i in range(35)])

    assert rejected.value.errors == ['line 26: id "u25" already exists in project "undo"']
    assert list(Task.objects.filter(project=project).values_list("external_id", flat=True)) == ["u25"]
    assert not Response.objects.filter(task__project=project).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_finds_the_database_locked_is_tried_again(lead: User, monkeypatch: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite says 'database is locked'")
    project = services.create_project(slug="locked", name="L", lead=lead, ranking_mode=RankingMode.RANKING)
    monkeypatch.setattr("tasks.db.time.sleep", lambda seconds: None)
    original = importing._write_batch_alone
    failures = iter([OperationalError("database is locked")])

    def busy_once(project: Project, batch: list[importing.ParsedTask]) -> list[int]:
        for error in failures:
            raise error
        return original(project, batch)

    monkeypatch.setattr(importing, "_write_batch_alone", busy_once)

    assert import_tasks(project=project, lines=[json.dumps(task_line("l1"))]).created == 1


# --- Finding 1: the stored label says nothing about the file's order


def test_labels_are_drawn_at_random_for_each_task_and_stay(ranking: Project) -> None:
    """Catches A given to the file's first response: over 40 tasks both orders occur (the chance that
    they do not, with fair draws, is 2 in 2**40), and every task has each label once."""
    responses = [{"model": "first", "code": "a = 1\n"}, {"model": "second", "code": "b = 2\n"}]
    import_tasks(project=ranking, lines=[json.dumps(task_line(f"r{i}", responses=responses)) for i in range(40)])

    def labels_of_first() -> dict[str, str]:
        return dict(
            Response.objects.filter(task__project=ranking, model_name="first").values_list("task__external_id", "label")
        )

    drawn = labels_of_first()
    assert set(drawn.values()) == {"A", "B"}
    assert labels_of_first() == drawn  # stored once, read the same way every time
    for task in Task.objects.filter(project=ranking):
        assert sorted(task.responses.values_list("label", flat=True)) == ["A", "B"]


def test_eight_responses_get_eight_distinct_labels() -> None:
    for _ in range(50):
        assert sorted(importing.shuffled_labels(8)) == list("ABCDEFGH")
    assert len({tuple(importing.shuffled_labels(8)) for _ in range(50)}) > 1
