"""The "verifiable" format: one row per task with the annotators' test files that a reference response
passed, for execution rewards (an RL environment runs a policy's answer against them). Pure: a task's
JudgmentRecords in, at most one row out; README, "Verifiable-reward tasks", has the table.

The reference is the gold answer's preferred response when the task is gold, else the response alone
at the top of more than half of the judgments that name one (a tie at the top or "all unacceptable"
names none). A judgment's test file is kept when its last run against the reference passed (status
"passed": no test failed, at least one passed) with a recorded trust; an empty file, one never run
against the reference, or one the reference fails is left out. Files equal up to trailing whitespace
(per line, and blank lines at the end) are kept once, under the first author of them by judgment id.

Columns (every value a list of objects, never a map keyed by label or name):

- task_id, language: the task's external id and language.
- prompt: the record's prompt (a conversation's thread as plain text, tasks.models.thread_text).
- messages: the turns before the response, or [{"role": "user", "content": prompt}].
- reference: {label, model, code (the response as written), program (what the sandbox ran: for a
  conversation, its fenced code in the task's language; else the code), chosen_by ("gold" or "consensus")}.
- solution_file: where to write the answer under test, relative to the task folder ("solution.py").
- tests: per kept file, by judgment id: author (the annotator's pseudonym), judgment_id, file_name
  (relative to the task folder: "tests/test_<author>.py"), code, trust ("isolated" or "in-process": how
  the reference's run was judged), command (below), cases (the test names the reference passed, in the
  sandbox's order), failed_responses (the other responses this file catches: label, model, status of
  their last run of it, failed: how many of its cases they did not pass, total: its cases).
- cases: every case of every kept file: name, test_file (a file_name), failed_by (the labels of the other
  responses run against that file that did not pass the case: it failed, errored or was skipped, or the
  run ended without it, e.g. a timeout).
- responses: per response, across the kept files it was run against (a verdict, not "unavailable"):
  label, model, tests_passed and tests_total (counted in cases), files_run; null counts when it ran none.
- image: the sandbox image the commands name.

A file's `command` is the shell command that runs it against an answer with this platform: from the
platform's folder (where manage.py is), with TASK_DIR the folder holding solution_file and the tests,

    SANDBOX_IMAGE=<image> python manage.py sandbox_run --language python \
        --solution "$TASK_DIR/solution.py" --tests "$TASK_DIR/tests/test_ann-….py" --json

which prints one JSON object (status, passed, failed, tests[]) and exits 0 whenever the sandbox ran.
`--in-process` is added when the reference's run was judged in-process without the file's marker
asking for it. No bare `docker run` form is given: a run feeds its payload to a harness over the
attached stdin, reads a nonce-framed result back, and sets uids, a seccomp profile and tmpfs mounts
(sandbox/docker_backend.py); no one-line docker command does the same.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from exporters import schema
from exporters.records import JudgmentRecord
from exporters.schema import MESSAGES, List
from sandbox import languages
from tasks.models import fenced_program

Row = dict[str, Any]
GOLD, CONSENSUS = "gold", "consensus"
FAILING_OUTCOMES = ("failed", "error")

REFERENCE: dict[str, schema.Type] = {
    "label": "string",
    "model": "string",
    "code": "string",
    "program": "string",
    "chosen_by": "string",
}
FAILED_RESPONSE: dict[str, schema.Type] = {
    "label": "string",
    "model": "string",
    "status": "string",
    "failed": "int64",
    "total": "int64",
}
TEST_FILE: dict[str, schema.Type] = {
    "author": "string",
    "judgment_id": "int64",
    "file_name": "string",
    "code": "string",
    "trust": "string",
    "command": "string",
    "cases": List("string"),
    "failed_responses": List(FAILED_RESPONSE),
}
CASE: dict[str, schema.Type] = {"name": "string", "test_file": "string", "failed_by": List("string")}
SUMMARY: dict[str, schema.Type] = {
    "label": "string",
    "model": "string",
    "tests_passed": "int64",
    "tests_total": "int64",
    "files_run": "int64",
}
COLUMNS: dict[str, schema.Type] = {
    "task_id": "string",
    "language": "string",
    "prompt": "string",
    "messages": MESSAGES,
    "reference": REFERENCE,
    "solution_file": "string",
    "tests": List(TEST_FILE),
    "cases": List(CASE),
    "responses": List(SUMMARY),
    "image": "string",
}


@dataclass
class Skipped:
    """Why tasks gave no row, counted for the manifest."""

    no_reference: int = 0  # no gold answer among the responses and no majority at the top
    no_passing_test: int = 0  # no test file that the reference passed

    def to_dict(self) -> dict[str, int]:
        return {"no_reference": self.no_reference, "no_test_the_reference_passed": self.no_passing_test}


@dataclass(frozen=True)
class Kept:
    """A judgment's test file that the reference passed, with its last run per response label."""

    record: JudgmentRecord
    file_name: str
    results: dict[str, dict[str, Any]]
    reference: str  # the reference's label

    @property
    def cases(self) -> list[str]:
        """The tests the reference passed, in the sandbox's order."""
        return [t["name"] for t in self.results[self.reference]["tests"] if t.get("outcome") == "passed"]

    def ran(self, label: str) -> bool:
        """The file was run against `label` (a verdict, not "unavailable")."""
        return self.results.get(label, {}).get("status") not in (None, "unavailable")

    def passed(self, label: str) -> set[str]:
        tests = self.results.get(label, {}).get("tests") or []
        return {t.get("name") for t in tests if t.get("outcome") == "passed"}


def gold_preferred(gold_answer: dict[str, Any] | None) -> str | None:
    """The preferred label of a task's gold answer (Task.gold_answer), or None for a task that is not gold."""
    preferred = gold_answer.get("preferred") if isinstance(gold_answer, dict) else None
    return preferred if isinstance(preferred, str) and preferred else None


def reference(group: Sequence[JudgmentRecord], *, gold_preferred: str | None) -> tuple[str, str] | None:
    """(label, chosen_by) of the task's reference response, or None when there is none."""
    labels = group[0].candidates if group else {}
    if gold_preferred is not None:
        return (gold_preferred, GOLD) if gold_preferred in labels else None
    named = [r.ranking[0][0] for r in group if not r.all_unacceptable and r.ranking and len(r.ranking[0]) == 1]
    for label in sorted(set(named)):
        if 2 * named.count(label) > len(named) and label in labels:
            return label, CONSENSUS
    return None


def normalized(code: str) -> str:
    """A test file up to trailing whitespace: what makes two files the same one."""
    return "\n".join(line.rstrip() for line in code.splitlines()).rstrip("\n")


def passed_by(result: dict[str, Any] | None) -> bool:
    """The run passed the file: status "passed", no test failed, at least one passed, a recorded trust."""
    if not result or result.get("status") != "passed" or not result.get("trust"):
        return False
    outcomes = [t.get("outcome") for t in result.get("tests") or []]
    return "passed" in outcomes and not any(o in FAILING_OUTCOMES for o in outcomes)


def kept_files(group: Sequence[JudgmentRecord], label: str) -> list[Kept]:
    """The group's test files that `label` passed, by judgment id, duplicates kept once (the first)."""
    ext = languages.get(group[0].language).test_file.rsplit(".", 1)[-1]
    seen: set[str] = set()
    names: set[str] = set()
    out = []
    for record in sorted(group, key=lambda r: r.judgment_id):
        results = {r["label"]: r for r in record.test_results}
        key = normalized(record.run_tests_code)
        if not key or key in seen or not passed_by(results.get(label)):
            continue
        seen.add(key)
        name = f"tests/test_{record.annotator}.{ext}"
        if name in names:  # one annotator with two judgments of the task
            name = f"tests/test_{record.annotator}-{record.judgment_id}.{ext}"
        names.add(name)
        out.append(Kept(record, name, results, label))
    return out


def command(*, language: str, image: str, file_name: str, solution_file: str, in_process: bool = False) -> str:
    """The shell command that runs one test file against the answer in TASK_DIR (see the module docstring)."""
    words = [
        f"SANDBOX_IMAGE={shlex.quote(image)}",
        "python",
        "manage.py",
        "sandbox_run",
        "--language",
        shlex.quote(language),
        "--solution",
        _in_task_dir(solution_file),
        "--tests",
        _in_task_dir(file_name),
    ]
    return " ".join([*words, *(["--in-process"] if in_process else []), "--json"])


def _in_task_dir(name: str) -> str:
    if not all(c.isalnum() or c in "._-/" for c in name):
        raise ValueError(f"{name!r}: a file name of letters, digits, '.', '_', '-' and '/' only")
    return f'"$TASK_DIR/{name}"'


def program(code: str, *, language: str, conversation: bool) -> str:
    """What the sandbox runs for a response (tasks.models.Task.program_of, without the model)."""
    fenced = fenced_program(code, language) if conversation else None
    return code if fenced is None else fenced


def rows(
    group: list[JudgmentRecord], *, gold_preferred: str | None, image: str, skipped: Skipped | None = None
) -> Iterator[Row]:
    """The task's row (at most one): `group` is its judgments; `skipped` counts why a task gives none."""
    skipped = skipped if skipped is not None else Skipped()
    chosen = reference(group, gold_preferred=gold_preferred) if group else None
    if chosen is None:
        skipped.no_reference += 1
        return
    label, chosen_by = chosen
    files = kept_files(group, label)
    if not files:
        skipped.no_passing_test += 1
        return
    yield _row(sorted(group, key=lambda r: r.judgment_id)[0], label, chosen_by, files, image)


def _row(first: JudgmentRecord, label: str, chosen_by: str, files: list[Kept], image: str) -> Row:
    lang = languages.get(first.language)
    ref = first.candidates[label]
    others = [c for c in sorted(first.candidates) if c != label]
    return {
        "task_id": first.task_id,
        "language": first.language,
        "prompt": first.prompt,
        "messages": [{"role": m["role"], "content": m["content"]} for m in first.messages]
        or [{"role": "user", "content": first.prompt}],
        "reference": {
            "label": label,
            "model": ref.model,
            "code": ref.code,
            "program": program(ref.code, language=first.language, conversation=bool(first.messages)),
            "chosen_by": chosen_by,
        },
        "solution_file": lang.solution_file,
        "tests": [_test_file(k, first, others, image) for k in files],
        "cases": [case for k in files for case in _cases(k, others)],
        "responses": [_summary(c, first, files) for c in sorted(first.candidates)],
        "image": image,
    }


def _test_file(kept: Kept, first: JudgmentRecord, others: list[str], image: str) -> Row:
    lang = languages.get(first.language)
    trust = kept.results[kept.reference]["trust"]
    asked = lang.wants_in_process(kept.record.run_tests_code)
    cases = kept.cases
    missed = {c: [n for n in cases if n not in kept.passed(c)] for c in others if kept.ran(c)}
    return {
        "author": kept.record.annotator,
        "judgment_id": kept.record.judgment_id,
        "file_name": kept.file_name,
        "code": kept.record.run_tests_code,
        "trust": trust,
        "command": command(
            language=first.language,
            image=image,
            file_name=kept.file_name,
            solution_file=lang.solution_file,
            in_process=trust == "in-process" and not asked,
        ),
        "cases": cases,
        "failed_responses": [
            {
                "label": c,
                "model": first.candidates[c].model,
                "status": kept.results[c]["status"],
                "failed": len(names),
                "total": len(cases),
            }
            for c, names in missed.items()
            if names
        ],
    }


def _cases(kept: Kept, others: list[str]) -> list[Row]:
    ran = [c for c in others if kept.ran(c)]
    return [
        {"name": n, "test_file": kept.file_name, "failed_by": [c for c in ran if n not in kept.passed(c)]}
        for n in kept.cases
    ]


def _summary(label: str, first: JudgmentRecord, files: list[Kept]) -> Row:
    runs = [k for k in files if k.ran(label)]
    return {
        "label": label,
        "model": first.candidates[label].model,
        "tests_passed": sum(len(set(k.cases) & k.passed(label)) for k in runs) if runs else None,
        "tests_total": sum(len(k.cases) for k in runs) if runs else None,
        "files_run": len(runs),
    }
