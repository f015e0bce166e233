"""Import comparison tasks from JSONL, all or nothing (the contract in the README, "Importing tasks").

One task per line: {"id", "prompt", "language", "responses": [{"model", "code"}, ...], "metadata"}, or
"messages": [{"role", "content"}, ...] instead of "prompt" for a conversation task (README, "Conversation tasks").
Every problem is reported as "line N: ..." and nothing is written unless every line is good.

Memory stays flat whatever the file's size, because the lines are read twice and never held: the first
pass checks every line and keeps only each id's line number (for duplicates), the errors and the
preview; the second parses the lines again and writes them in batches of _BATCH tasks. On PostgreSQL
the batches share one transaction. On SQLite, whose single writer lock would otherwise keep every
autosave and heartbeat waiting for the whole import, each batch is a short transaction of its own
(retried briefly when the database is locked), and if one fails the import deletes what its earlier
batches wrote, so it stays all or nothing.

Response labels (A, B, ...) are drawn at random for each task when it is written, so a stored label
says nothing about where the response was in the file (e.g. that A is the reference model).
"""

from __future__ import annotations

import json
import random
import struct
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from sandbox import languages
from tasks import rendering
from tasks.db import retry_if_locked
from tasks.models import (
    MAX_RESPONSES,
    MESSAGE_ROLES,
    MIN_RESPONSES,
    RESPONSE_LABELS,
    Project,
    RankingMode,
    Response,
    Task,
    thread_text,
)
from tasks.text import lf

TASK_FIELDS = ("id", "prompt", "messages", "language", "responses", "metadata")
RESPONSE_FIELDS = ("model", "code")
MESSAGE_FIELDS = ("role", "content")
MAX_MESSAGES = 100  # turns of a conversation; its text is held to IMPORT_MAX_PROMPT_BYTES like a prompt
MAX_REPORTED_ERRORS = 200
MAX_METADATA_DEPTH = 32  # nesting levels of "metadata"; deeper JSON breaks whatever recurses over it later
_BATCH = 1000
ANALYZE_AFTER = 1000  # tasks in one import
_labels = random.SystemRandom()  # not seeded from anything a file or a clock could predict


@dataclass
class ParsedTask:
    line: int
    external_id: str
    prompt: str
    language: str
    responses: list[tuple[str, str]]  # (model name, code) in file order; labels are drawn when written
    metadata: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, str]] = field(default_factory=list)  # a conversation task's turns; prompt is their text


@dataclass
class ImportResult:
    created: int
    total: int
    preview: list[ParsedTask]  # the first few tasks of the file


class ImportRejected(Exception):
    """The file has problems; nothing was written. `errors` are "line N: ..." strings."""

    def __init__(self, errors: list[str], total: int | None = None) -> None:
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.total = total if total is not None else len(errors)
        super().__init__("; ".join(self.errors[:3]))

    @property
    def more(self) -> int:
        return self.total - len(self.errors)


class _LineError(Exception):
    pass


class _Sink(Protocol):
    """Where the checks put their "line N: ..." messages: a list, or _Errors."""

    def append(self, error: str, /) -> None: ...


def import_tasks(
    *, project: Project, lines: Iterable[bytes | str], dry_run: bool = False, preview: int = 5
) -> ImportResult:
    """Check every line, then write every task and its responses, or raise ImportRejected having written
    nothing. `lines` is read twice (see the module's docstring): pass an open file rather than a list
    of its lines, so that a big file is never in memory."""
    if project.archived_at is not None:
        raise ImportRejected([f'project "{project.slug}" is archived: unarchive it (its settings page) to import'])
    source = _Replayable(lines, spool=not dry_run)
    try:
        checked = _check(project, source.first_pass(), preview)
        if checked.errors.total:
            raise ImportRejected(checked.errors.in_order(), total=checked.errors.total)
        if not checked.total:
            raise ImportRejected(["the file has no tasks: expected one JSON object per line"])
        if not dry_run:
            _write(project, source.second_pass(), checked)
    finally:
        source.close()
    return ImportResult(created=0 if dry_run else checked.total, total=checked.total, preview=checked.preview)


def parse_lines(lines: Iterable[bytes | str]) -> tuple[list[ParsedTask], list[str]]:
    """Parse and check every line on its own and ids across the file; return tasks and errors."""
    errors: list[str] = []
    parsed = list(_unique(_parsed(lines, errors), {}, errors))
    return parsed, errors


class _Errors:
    """The errors of a file, in line order, keeping only the first MAX_REPORTED_ERRORS lines' worth
    (a file of a million bad lines must not become a million messages in memory) and the count."""

    def __init__(self) -> None:
        self.total = 0
        self._kept: list[str] = []

    def append(self, error: str) -> None:
        self.total += 1
        self._kept.append(error)
        if len(self._kept) > 4 * MAX_REPORTED_ERRORS:
            self._kept = self.in_order()

    def extend(self, errors: Iterable[str]) -> None:
        for error in errors:
            self.append(error)

    def in_order(self) -> list[str]:
        return sorted(self._kept, key=_line_number)[:MAX_REPORTED_ERRORS]


@dataclass
class _Checked:
    """What the first pass keeps: never the tasks themselves, beyond the preview."""

    first_seen: dict[str, int] = field(default_factory=dict)  # id -> its line
    errors: _Errors = field(default_factory=_Errors)
    preview: list[ParsedTask] = field(default_factory=list)
    total: int = 0


def _check(project: Project, lines: Iterable[bytes | str], preview: int) -> _Checked:
    """The first pass: every line, ids across the file, the project's mode and the ids it already has."""
    checked = _Checked()
    unlooked: dict[str, int] = {}  # ids not yet looked up in the project
    for task in _unique(_parsed(lines, checked.errors), checked.first_seen, checked.errors):
        checked.total += 1
        checked.errors.extend(_mode_mismatches(project, [task]))
        checked.errors.extend(_language_refusals(project, [task]))
        if len(checked.preview) < preview:
            checked.preview.append(task)
        unlooked[task.external_id] = task.line
        if len(unlooked) >= _BATCH:
            checked.errors.extend(_clashes_with_project(project, unlooked))
            unlooked = {}
    checked.errors.extend(_clashes_with_project(project, unlooked))
    return checked


def _parsed(lines: Iterable[bytes | str], errors: _Sink) -> Iterator[ParsedTask]:
    """Each line checked on its own; a bad line becomes an error in `errors` and is left out."""
    for number, text in _numbered(lines, errors):
        try:
            yield _parse_task(number, text)
        except _LineError as exc:
            errors.append(f"line {number}: {exc}")


def _unique(tasks: Iterable[ParsedTask], first_seen: dict[str, int], errors: _Sink) -> Iterator[ParsedTask]:
    """Leave out (as an error) a task whose id an earlier line of the file has; `first_seen` fills up."""
    for task in tasks:
        first = first_seen.get(task.external_id)
        if first is not None:
            errors.append(f'line {task.line}: duplicate id "{task.external_id}" (first seen on line {first})')
            continue
        first_seen[task.external_id] = task.line
        yield task


def _numbered(lines: Iterable[bytes | str], errors: _Sink) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                errors.append(
                    f"line {number}: not valid UTF-8 (byte {exc.object[exc.start]:#04x} at column {exc.start + 1})"
                )
                continue
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            yield number, text


def _parse_task(number: int, text: str) -> ParsedTask:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _LineError("invalid JSON: nested too deeply (arrays or objects inside each other)") from None
    if not isinstance(data, dict):
        raise _LineError(f"expected a JSON object, got {_json_type(data)}")
    _reject_unknown(data, TASK_FIELDS, "")
    external_id = _required_string(data, "id", max_chars=Task._meta.get_field("external_id").max_length)
    prompt, messages = _prompt_or_messages(data)
    language = _language(data)
    responses = _responses(data)
    metadata = {} if data.get("metadata") is None else data["metadata"]
    if not isinstance(metadata, dict):
        raise _LineError(f'"metadata" must be an object, got {_json_type(metadata)}')
    if _deeper_than(metadata, MAX_METADATA_DEPTH):
        raise _LineError(f'"metadata" is nested more than {MAX_METADATA_DEPTH} levels deep')
    return ParsedTask(number, external_id, prompt, language, responses, metadata, messages)


def _prompt_or_messages(data: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The task's prompt and, for a conversation, its turns (the prompt is then their thread_text)."""
    limit = settings.IMPORT_MAX_PROMPT_BYTES
    if "messages" not in data:
        if "prompt" not in data:
            raise _LineError('missing field "prompt" (or "messages" for a conversation)')
        return _required_string(data, "prompt", max_bytes=limit, limit_name="IMPORT_MAX_PROMPT_BYTES"), []
    if "prompt" in data:
        raise _LineError('give "prompt" or "messages", not both (a conversation\'s prompt is made from its messages)')
    messages = _messages(data["messages"])
    prompt = thread_text(messages)
    size = len(prompt.encode("utf-8"))
    if size > limit:
        raise _LineError(f'"messages" is {size:,} bytes as text; the limit is {limit:,} (IMPORT_MAX_PROMPT_BYTES)')
    return prompt, messages


def _messages(items: object) -> list[dict[str, str]]:
    """A conversation's turns: an optional system turn first, then user and assistant turns, the user's last."""
    if not isinstance(items, list):
        raise _LineError(f'"messages" must be a list, got {_json_type(items)}')
    if not items:
        raise _LineError('"messages" is empty: a conversation needs at least a user message')
    if len(items) > MAX_MESSAGES:
        raise _LineError(f'"messages" has {len(items)} messages; the limit is {MAX_MESSAGES}')
    messages = []
    for index, item in enumerate(items):
        where = f"messages[{index}]"
        if not isinstance(item, dict):
            raise _LineError(f"{where} must be an object, got {_json_type(item)}")
        _reject_unknown(item, MESSAGE_FIELDS, f"{where}.")
        role = _required_string(item, "role", where=f"{where}.", max_chars=32)
        if role not in MESSAGE_ROLES:
            raise _LineError(f'"{where}.role" must be one of {", ".join(MESSAGE_ROLES)}, got "{role}"')
        if role == "system" and index:
            raise _LineError(f"{where} is a system message: only the first message may be one")
        content = _required_string(
            item,
            "content",
            where=f"{where}.",
            max_bytes=settings.IMPORT_MAX_PROMPT_BYTES,
            limit_name="IMPORT_MAX_PROMPT_BYTES",
        )
        messages.append({"role": role, "content": content})
    if messages[-1]["role"] != "user":
        raise _LineError(
            f"the last message must be the user's (each response is the next assistant turn); "
            f"messages[{len(messages) - 1}] is the {messages[-1]['role']}'s"
        )
    return messages


def _deeper_than(value: object, limit: int) -> bool:
    """Whether objects and lists nest more than `limit` levels (the top object is level 1); no recursion."""
    level: list[tuple[object, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in children)
    return False


def _language(data: dict[str, Any]) -> str:
    raw = _required_string(data, "language")
    language = raw.strip().lower()
    if language not in languages.LANGUAGES:
        raise _LineError(f'unknown language "{raw}" (supported: {", ".join(sorted(languages.LANGUAGES))})')
    return language


def _responses(data: dict[str, Any]) -> list[tuple[str, str]]:
    if "responses" not in data:
        raise _LineError('missing field "responses"')
    items = data["responses"]
    if not isinstance(items, list):
        raise _LineError(f'"responses" must be a list, got {_json_type(items)}')
    if not MIN_RESPONSES <= len(items) <= MAX_RESPONSES:
        raise _LineError(f"a task needs {MIN_RESPONSES} to {MAX_RESPONSES} responses, this one has {len(items)}")
    responses = []
    for index, item in enumerate(items):
        where = f"responses[{index}]"
        if not isinstance(item, dict):
            raise _LineError(f"{where} must be an object, got {_json_type(item)}")
        _reject_unknown(item, RESPONSE_FIELDS, f"{where}.")
        model = _required_string(item, "model", where=f"{where}.", max_chars=200)
        code = _required_string(
            item,
            "code",
            where=f"{where}.",
            max_bytes=settings.IMPORT_MAX_CODE_BYTES,
            limit_name="IMPORT_MAX_CODE_BYTES",
        )
        responses.append((model, code))
    return responses


def _required_string(
    data: dict[str, Any],
    key: str,
    *,
    where: str = "",
    max_chars: int | None = None,
    max_bytes: int | None = None,
    limit_name: str = "",
) -> str:
    if key not in data:
        raise _LineError(f'missing field "{where}{key}"')
    value = data[key]
    if not isinstance(value, str):
        raise _LineError(f'"{where}{key}" must be a string, got {_json_type(value)}')
    value = lf(value)  # a file written on Windows (or by hand) must not put CRLF into the prompts and code exported
    if not value.strip():
        raise _LineError(f'"{where}{key}" is empty')
    if max_chars is not None and len(value) > max_chars:
        raise _LineError(f'"{where}{key}" is {len(value)} characters; the limit is {max_chars}')
    if max_bytes is not None:
        size = len(value.encode("utf-8"))
        if size > max_bytes:
            raise _LineError(f'"{where}{key}" is {size:,} bytes; the limit is {max_bytes:,} ({limit_name})')
    return value


def _reject_unknown(data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        names = ", ".join(f'"{where}{name}"' for name in unknown)
        raise _LineError(f"unknown field {names} (allowed: {', '.join(allowed)})")


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _mode_mismatches(project: Project, parsed: list[ParsedTask]) -> list[str]:
    if project.ranking_mode != RankingMode.PAIRWISE:
        return []
    return [
        f'line {task.line}: project "{project.slug}" compares pairs: a task needs exactly 2 responses, '
        f"this one has {len(task.responses)} (use a project in n-way ranking mode)"
        for task in parsed
        if len(task.responses) != 2
    ]


def _language_refusals(project: Project, parsed: list[ParsedTask]) -> list[str]:
    """A task in a language the project does not take (Project.allowed_languages; empty takes every one)."""
    allowed = project.allowed_languages
    return [
        f'line {task.line}: project "{project.slug}" takes {", ".join(allowed)} only, this task is {task.language}'
        for task in parsed
        if allowed and task.language not in allowed
    ]


def _clashes_with_project(project: Project, by_id: dict[str, int]) -> list[str]:
    """An error for each id (mapped to its line) the project already has."""
    ids = list(by_id)
    existing: list[str] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        existing += Task.objects.filter(project=project, external_id__in=chunk).values_list("external_id", flat=True)
    return [f'line {by_id[eid]}: id "{eid}" already exists in project "{project.slug}"' for eid in existing]


def _line_number(error: str) -> int:
    head = error.split(":", 1)[0]
    return int(head.removeprefix("line ")) if head.startswith("line ") else 0


def _write(project: Project, lines: Iterable[bytes | str], checked: _Checked) -> None:
    """The second pass: the checked tasks, in batches (see the module's docstring for the transactions)."""
    written: list[int] = []  # ids of the tasks this import wrote, to delete them if a later batch fails
    batches = _batches(_unchanged(lines, checked))
    try:
        if connection.vendor == "sqlite":
            for batch in batches:
                written += retry_if_locked(partial(_write_batch_alone, project, batch))
        else:
            with transaction.atomic():
                for batch in batches:
                    _write_batch(project, batch, _rendered(batch))
    except IntegrityError:
        # Another import added one of these ids between our check and our write.
        _delete(written)
        clashes = _clashes_with_project(project, checked.first_seen)
        raise ImportRejected(clashes or ["another import changed this project at the same time: try again"]) from None
    except BaseException:
        _delete(written)
        raise
    if checked.total >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes a big project for an empty one until autovacuum runs.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Task._meta.db_table}, {Response._meta.db_table}")


def _unchanged(lines: Iterable[bytes | str], checked: _Checked) -> Iterator[ParsedTask]:
    """The lines parsed again, each task checked to be the one the first pass saw on that line."""
    errors: list[str] = []
    count = 0
    for task in _parsed(lines, errors):
        if errors or checked.first_seen.get(task.external_id) != task.line:
            break
        count += 1
        yield task
    if errors or count != checked.total:
        raise ImportRejected(["the file changed while it was imported: nothing was written, import it again"])


def _batches(tasks: Iterator[ParsedTask]) -> Iterator[list[ParsedTask]]:
    batch: list[ParsedTask] = []
    for task in tasks:
        batch.append(task)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Rendered:
    """A parsed task's pages rendered (tasks/rendering.py): its turns, and each response in file order."""

    turns: dict[str, Any]
    responses: list[dict[str, Any]]


def _rendered(batch: list[ParsedTask]) -> list[_Rendered]:
    """The batch's HTML as the pages show it, rendered once here so no page view runs Pygments."""
    out = []
    for p in batch:
        task = Task(language=p.language, messages=p.messages)  # unsaved: what response_language reads
        responses = [rendering.code_rendering(code, rendering.response_language(code, task)) for _, code in p.responses]
        out.append(_Rendered(rendering.turns_rendering(p.messages, p.language), responses))
    return out


def _write_batch_alone(project: Project, batch: list[ParsedTask]) -> list[int]:
    rendered = _rendered(batch)  # before the transaction: SQLite's writer lock is held for the inserts only
    with transaction.atomic():
        return _write_batch(project, batch, rendered)


def _write_batch(project: Project, batch: list[ParsedTask], rendered: list[_Rendered]) -> list[int]:
    """Create the batch's tasks and their responses, under labels shuffled for each task, with their
    rendering (`rendered`, one per task of the batch); their ids."""
    version = rendering.RENDER_VERSION
    tasks = Task.objects.bulk_create(
        Task(
            project=project,
            external_id=p.external_id,
            prompt=p.prompt,
            messages=p.messages,
            language=p.language,
            metadata=p.metadata,
            rendered=r.turns,
            render_version=version,
        )
        for p, r in zip(batch, rendered, strict=True)
    )
    Response.objects.bulk_create(
        Response(task=task, label=label, model_name=model, code=code, rendered=html, render_version=version)
        for task, p, r in zip(tasks, batch, rendered, strict=True)
        for label, (model, code), html in zip(shuffled_labels(len(p.responses)), p.responses, r.responses, strict=True)
    )
    return [task.pk for task in tasks]


def shuffled_labels(count: int) -> list[str]:
    """The first `count` labels in a random order: the label of the file's first response is A only by chance."""
    labels = list(RESPONSE_LABELS[:count])
    _labels.shuffle(labels)
    return labels


def _delete(task_ids: list[int]) -> None:
    """Undo the batches an import already committed (SQLite), their responses with them."""
    for start in range(0, len(task_ids), _BATCH):
        Task.objects.filter(pk__in=task_ids[start : start + _BATCH]).delete()


class _Replayable:
    """The import's lines, readable twice without holding them: a list again, a seekable file from where
    it was, anything else (a pipe) through a temporary file the first pass writes (`spool`)."""

    _RECORD = struct.Struct("<cI")  # kind (b"b" bytes, b"s" text), length

    def __init__(self, lines: Iterable[bytes | str], *, spool: bool) -> None:
        self._lines = lines
        self._start = _position(lines)
        self._again = isinstance(lines, Sequence) or self._start is not None
        # Closed by close(), which import_tasks calls in a finally: no `with` can span the two passes.
        self._spool: IO[bytes] | None = tempfile.TemporaryFile() if spool and not self._again else None  # noqa: SIM115

    def first_pass(self) -> Iterator[bytes | str]:
        for raw in self._lines:
            if self._spool is not None:
                data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
                self._spool.write(self._RECORD.pack(b"b" if isinstance(raw, bytes) else b"s", len(data)) + data)
            yield raw

    def second_pass(self) -> Iterator[bytes | str]:
        if self._start is not None:
            self._lines.seek(self._start)  # type: ignore[attr-defined]
        if self._again:
            yield from self._lines
            return
        if self._spool is None:
            raise RuntimeError("a dry run reads its lines once")
        self._spool.seek(0)
        while header := self._spool.read(self._RECORD.size):
            kind, size = self._RECORD.unpack(header)
            data = self._spool.read(size)
            yield data if kind == b"b" else data.decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()


def _position(lines: object) -> int | None:
    """Where a seekable file is now (the second pass starts there again); None for anything else."""
    seekable = getattr(lines, "seekable", None)
    try:
        return int(lines.tell()) if callable(seekable) and seekable() else None  # type: ignore[attr-defined]
    except OSError:
        return None
