"""Import comparison tasks from JSONL, all or nothing (the contract in DESIGN.md).

One task per line: {"id", "prompt", "language", "responses": [{"model", "code"}, ...], "metadata"}.
Every problem is reported as "line N: ..." and nothing is written unless every line is good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from sandbox import languages
from tasks.models import MAX_RESPONSES, MIN_RESPONSES, RESPONSE_LABELS, Project, RankingMode, Response, Task

TASK_FIELDS = ("id", "prompt", "language", "responses", "metadata")
RESPONSE_FIELDS = ("model", "code")
MAX_REPORTED_ERRORS = 200
_BATCH = 1000
ANALYZE_AFTER = 1000  # tasks in one import


@dataclass
class ParsedTask:
    line: int
    external_id: str
    prompt: str
    language: str
    responses: list[tuple[str, str]]  # (model name, code), labelled A, B, ... in this order
    metadata: dict[str, Any] = field(default_factory=dict)


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


def import_tasks(
    *, project: Project, lines: Iterable[bytes | str], dry_run: bool = False, preview: int = 5
) -> ImportResult:
    """Validate every line, then create all tasks and responses in one transaction, or raise ImportRejected."""
    parsed, errors = parse_lines(lines)
    errors += _mode_mismatches(project, parsed)
    errors += _clashes_with_project(project, parsed)
    if errors:
        raise ImportRejected(sorted(errors, key=_line_number))
    if not parsed:
        raise ImportRejected(["the file has no tasks: expected one JSON object per line"])
    if not dry_run:
        _write(project, parsed)
    return ImportResult(created=0 if dry_run else len(parsed), total=len(parsed), preview=parsed[:preview])


def parse_lines(lines: Iterable[bytes | str]) -> tuple[list[ParsedTask], list[str]]:
    """Parse and check every line on its own and ids across the file; return tasks and errors."""
    parsed: list[ParsedTask] = []
    errors: list[str] = []
    first_seen: dict[str, int] = {}
    for number, text in _numbered(lines, errors):
        try:
            task = _parse_task(number, text)
        except _LineError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if task.external_id in first_seen:
            errors.append(
                f'line {number}: duplicate id "{task.external_id}" (first seen on line {first_seen[task.external_id]})'
            )
            continue
        first_seen[task.external_id] = number
        parsed.append(task)
    return parsed, errors


def _numbered(lines: Iterable[bytes | str], errors: list[str]) -> Iterator[tuple[int, str]]:
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
    if not isinstance(data, dict):
        raise _LineError(f"expected a JSON object, got {_json_type(data)}")
    _reject_unknown(data, TASK_FIELDS, "")
    external_id = _required_string(data, "id", max_chars=Task._meta.get_field("external_id").max_length)
    prompt = _required_string(
        data, "prompt", max_bytes=settings.IMPORT_MAX_PROMPT_BYTES, limit_name="IMPORT_MAX_PROMPT_BYTES"
    )
    language = _language(data)
    responses = _responses(data)
    metadata = {} if data.get("metadata") is None else data["metadata"]
    if not isinstance(metadata, dict):
        raise _LineError(f'"metadata" must be an object, got {_json_type(metadata)}')
    return ParsedTask(number, external_id, prompt, language, responses, metadata)


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


def _clashes_with_project(project: Project, parsed: list[ParsedTask]) -> list[str]:
    by_id = {task.external_id: task.line for task in parsed}
    ids = list(by_id)
    existing: list[str] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        existing += Task.objects.filter(project=project, external_id__in=chunk).values_list("external_id", flat=True)
    return [f'line {by_id[eid]}: id "{eid}" already exists in project "{project.slug}"' for eid in existing]


def _line_number(error: str) -> int:
    head = error.split(":", 1)[0]
    return int(head.removeprefix("line ")) if head.startswith("line ") else 0


def _write(project: Project, parsed: list[ParsedTask]) -> None:
    try:
        with transaction.atomic():
            for start in range(0, len(parsed), _BATCH):
                chunk = parsed[start : start + _BATCH]
                tasks = Task.objects.bulk_create(
                    Task(
                        project=project,
                        external_id=p.external_id,
                        prompt=p.prompt,
                        language=p.language,
                        metadata=p.metadata,
                    )
                    for p in chunk
                )
                Response.objects.bulk_create(
                    Response(task=task, label=RESPONSE_LABELS[i], model_name=model, code=code)
                    for task, p in zip(tasks, chunk, strict=True)
                    for i, (model, code) in enumerate(p.responses)
                )
    except IntegrityError:
        # Another import added one of these ids between our check and our write.
        clashes = _clashes_with_project(project, parsed)
        raise ImportRejected(clashes or ["another import changed this project at the same time: try again"]) from None
    if len(parsed) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes a big project for an empty one until autovacuum runs.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Task._meta.db_table}, {Response._meta.db_table}")
