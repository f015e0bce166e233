"""The verifiable-reward format (exporters/verifiable.py): hand-built JudgmentRecords in, rows checked
exactly; then a row's command really runs in the sandbox, for the reference and for a competitor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from exporters import schema, verifiable
from exporters.records import Candidate, JudgmentRecord
from sandbox.docker_backend import DockerBackend
from tasks.models import thread_text

IMAGE = "code-preference-sandbox:bookworm-1"
# A: right; B: sorts in place and returns None; C: drops duplicates.
SORT = {
    "A": "def s(xs):\n    return sorted(xs)\n",
    "B": "def s(xs):\n    xs.sort()\n",
    "C": "def s(xs):\n    return sorted(set(xs))\n",
}
MODELS = {"A": "alpha", "B": "beta", "C": "gamma"}
T_ADA = (
    "from solution import s\n\n\ndef test_sorts():\n    assert s([3, 1, 2]) == [1, 2, 3]\n\n\n"
    "def test_duplicates():\n    assert s([2, 1, 2]) == [1, 2, 2]\n"
)
T_BOB = "from solution import s\n\n\ndef test_descending():\n    assert s([1, 2]) == [2, 1]\n"  # wrong: A fails it
T_CYD = T_ADA.replace("\n", "   \n") + "\n\n"  # ada's file with trailing whitespace: the same file
T_EVE = "from solution import s\n\n\ndef test_negative():\n    assert s([0, -1]) == [-1, 0]\n"
T_FAY = "from solution import s\n\n\ndef test_one():\n    assert s([1]) == [1]\n"


def run(status: str, **outcomes: str) -> dict[str, Any]:
    """A last run as exporters.query gives it: `outcomes` by test name."""
    tests = [{"name": n, "outcome": o, "duration_ms": 3, "message": ""} for n, o in outcomes.items()]
    passed = sum(o == "passed" for o in outcomes.values())
    failed = sum(o in ("failed", "error") for o in outcomes.values())
    return {"status": status, "passed": passed, "failed": failed, "tests": tests, "trust": "isolated"}


def judgment(
    judgment_id: int,
    annotator: str,
    ranking: list[list[str]],
    *,
    tests_code: str = "",
    results: dict[str, dict[str, Any]] | None = None,
    task_id: str = "sort",
    code: dict[str, str] | None = None,
    all_unacceptable: bool = False,
    prompt: str = "Sort `xs` ascending as `s(xs)`.",
    messages: list[dict[str, str]] | None = None,
    language: str = "python",
) -> JudgmentRecord:
    code = code or SORT
    return JudgmentRecord(
        judgment_id=judgment_id,
        task_id=task_id,
        prompt=prompt,
        language=language,
        candidates={label: Candidate(label, MODELS[label], text) for label, text in code.items()},
        ranking=ranking,
        strength=None,
        ratings={},
        comments={},
        rationale="",
        all_unacceptable=all_unacceptable,
        ideal_solution="",
        annotator=annotator,
        submitted_at="2026-01-02T03:04:05+00:00",
        active_seconds=60,
        tests_code=tests_code,
        run_tests_code=tests_code,  # the file its last run ran
        test_results=[{"label": label, **r} for label, r in sorted((results or {}).items())],
        messages=messages or [],
    )


def sort_task() -> list[JudgmentRecord]:
    """Six judgments, given out of order: ada's file is kept; bob's the reference fails; cyd's repeats
    ada's; dee's is empty; eve's is kept (B timed out, C's run was unavailable); fay's never ran."""
    return [
        judgment(
            14,
            "ann-eve",
            [["A"], ["C"], ["B"]],
            tests_code=T_EVE,
            results={"A": run("passed", test_negative="passed"), "B": run("timeout"), "C": run("unavailable")},
        ),
        judgment(
            10,
            "ann-ada",
            [["A"], ["C"], ["B"]],
            tests_code=T_ADA,
            results={
                "A": run("passed", test_sorts="passed", test_duplicates="passed"),
                "B": run("failed", test_sorts="failed", test_duplicates="failed"),
                "C": run("failed", test_sorts="passed", test_duplicates="failed"),
            },
        ),
        judgment(
            11,
            "ann-bob",
            [["A"], ["B", "C"]],
            tests_code=T_BOB,
            results={
                "A": run("failed", test_descending="failed"),
                "B": run("error", test_descending="error"),
                "C": run("failed", test_descending="failed"),
            },
        ),
        judgment(
            12,
            "ann-cyd",
            [["C"], ["A"], ["B"]],
            tests_code=T_CYD,
            results={
                "A": run("passed", test_sorts="passed", test_duplicates="passed"),
                "B": run("failed", test_sorts="failed", test_duplicates="failed"),
                "C": run("failed", test_sorts="passed", test_duplicates="failed"),
            },
        ),
        judgment(13, "ann-dee", [["A", "C"], ["B"]]),
        judgment(15, "ann-fay", [["A"], ["B"], ["C"]], tests_code=T_FAY),
    ]


def command(file_name: str, language: str = "python", solution: str = "solution.py", image: str = IMAGE) -> str:
    return (
        f'SANDBOX_IMAGE={image} python manage.py sandbox_run --language {language} --solution "$TASK_DIR/{solution}" '
        f'--tests "$TASK_DIR/{file_name}" --json'
    )


def only_row(group: list[JudgmentRecord], gold: str | None = None, image: str = IMAGE) -> dict[str, Any]:
    out = list(verifiable.rows(group, gold_preferred=gold, image=image))
    assert len(out) == 1
    assert schema.mismatch(out[0], verifiable.COLUMNS) is None
    return out[0]


def test_it_builds_one_row_from_the_files_the_consensus_reference_passed() -> None:
    row = only_row(sort_task())

    assert row == {
        "task_id": "sort",
        "language": "python",
        "prompt": "Sort `xs` ascending as `s(xs)`.",
        "messages": [{"role": "user", "content": "Sort `xs` ascending as `s(xs)`."}],
        "reference": {
            "label": "A",
            "model": "alpha",
            "code": SORT["A"],
            "program": SORT["A"],
            "chosen_by": "consensus",
        },
        "solution_file": "solution.py",
        "tests": [
            {
                "author": "ann-ada",
                "judgment_id": 10,
                "file_name": "tests/test_ann-ada.py",
                "code": T_ADA,
                "trust": "isolated",
                "command": command("tests/test_ann-ada.py"),
                "cases": ["test_sorts", "test_duplicates"],
                "failed_responses": [
                    {"label": "B", "model": "beta", "status": "failed", "failed": 2, "total": 2},
                    {"label": "C", "model": "gamma", "status": "failed", "failed": 1, "total": 2},
                ],
            },
            {
                "author": "ann-eve",
                "judgment_id": 14,
                "file_name": "tests/test_ann-eve.py",
                "code": T_EVE,
                "trust": "isolated",
                "command": command("tests/test_ann-eve.py"),
                "cases": ["test_negative"],
                "failed_responses": [{"label": "B", "model": "beta", "status": "timeout", "failed": 1, "total": 1}],
            },
        ],
        "cases": [
            {"name": "test_sorts", "test_file": "tests/test_ann-ada.py", "failed_by": ["B"]},
            {"name": "test_duplicates", "test_file": "tests/test_ann-ada.py", "failed_by": ["B", "C"]},
            {"name": "test_negative", "test_file": "tests/test_ann-eve.py", "failed_by": ["B"]},
        ],
        "responses": [
            {"label": "A", "model": "alpha", "tests_passed": 3, "tests_total": 3, "files_run": 2},
            {"label": "B", "model": "beta", "tests_passed": 0, "tests_total": 3, "files_run": 2},
            {"label": "C", "model": "gamma", "tests_passed": 1, "tests_total": 2, "files_run": 1},
        ],
        "image": IMAGE,
    }


def test_a_duplicate_keeps_the_first_author_by_judgment_id_among_the_kept_files() -> None:
    ada = next(r for r in sort_task() if r.annotator == "ann-ada")
    group = [r for r in sort_task() if r.annotator != "ann-ada"]
    later_copy = judgment(20, "ann-gus", [["A"], ["B"], ["C"]], tests_code=T_ADA)
    later_copy.test_results = ada.test_results
    group.insert(0, later_copy)  # first in the group, last by judgment id

    row = only_row(group)

    assert [(t["author"], t["judgment_id"], t["code"]) for t in row["tests"]] == [
        ("ann-cyd", 12, T_CYD),
        ("ann-eve", 14, T_EVE),
    ]
    assert [t["file_name"] for t in row["tests"]] == ["tests/test_ann-cyd.py", "tests/test_ann-eve.py"]


MAX = {"A": "def m(xs):\n    return xs[0]\n", "B": "def m(xs):\n    return max(xs)\n"}
T_MAX = "from solution import m\n\n\ndef test_max():\n    assert m([1, 3, 2]) == 3\n"


def gold_task() -> list[JudgmentRecord]:
    """Both annotators put A first; their shared test file passes only B."""
    results = {"A": run("failed", test_max="failed"), "B": run("passed", test_max="passed")}
    return [
        judgment(31, "ann-ada", [["A"], ["B"]], task_id="max", code=MAX, tests_code=T_MAX, results=results),
        judgment(32, "ann-bob", [["A"], ["B"]], task_id="max", code=MAX, tests_code=T_MAX, results=results),
    ]


def test_the_gold_answer_is_the_reference_whatever_the_annotators_ranked() -> None:
    row = only_row(gold_task(), gold="B")

    assert row["reference"] == {
        "label": "B",
        "model": "beta",
        "code": MAX["B"],
        "program": MAX["B"],
        "chosen_by": "gold",
    }
    assert [(t["author"], t["cases"], t["failed_responses"]) for t in row["tests"]] == [
        ("ann-ada", ["test_max"], [{"label": "A", "model": "alpha", "status": "failed", "failed": 1, "total": 1}])
    ]
    assert row["cases"] == [{"name": "test_max", "test_file": "tests/test_ann-ada.py", "failed_by": ["A"]}]


def test_without_gold_the_same_task_has_no_test_its_reference_passed() -> None:
    skipped = verifiable.Skipped()

    assert list(verifiable.rows(gold_task(), gold_preferred=None, image=IMAGE, skipped=skipped)) == []
    assert skipped.to_dict() == {"no_reference": 0, "no_test_the_reference_passed": 1}


def test_a_gold_label_that_is_not_among_the_responses_gives_no_row_and_no_fallback() -> None:
    skipped = verifiable.Skipped()

    assert list(verifiable.rows(sort_task(), gold_preferred="D", image=IMAGE, skipped=skipped)) == []
    assert skipped.to_dict() == {"no_reference": 1, "no_test_the_reference_passed": 0}


def test_a_tie_at_the_top_names_no_reference_so_the_task_gives_no_row() -> None:
    passing = {label: run("passed", test_sorts="passed") for label in "ABC"}
    group = [
        judgment(41, "ann-ada", [["A", "C"], ["B"]], task_id="tie", tests_code=T_ADA, results=passing),
        judgment(42, "ann-bob", [["A"], ["B"], ["C"]], task_id="tie", tests_code=T_EVE, results=passing),
        judgment(43, "ann-cyd", [["C"], ["A"], ["B"]], task_id="tie", tests_code=T_FAY, results=passing),
    ]
    skipped = verifiable.Skipped()

    assert list(verifiable.rows(group, gold_preferred=None, image=IMAGE, skipped=skipped)) == []
    assert skipped.to_dict() == {"no_reference": 1, "no_test_the_reference_passed": 0}
    assert verifiable.reference(group, gold_preferred=None) is None


def test_the_majority_is_of_the_judgments_that_name_one_and_all_unacceptable_names_none() -> None:
    def group(*judgments: tuple[list[list[str]], bool]) -> list[JudgmentRecord]:
        return [judgment(i, f"ann-{i}", r, all_unacceptable=u) for i, (r, u) in enumerate(judgments)]

    tie, rejected = ([["A", "B"], ["C"]], False), ([["A"], ["B"], ["C"]], True)
    assert verifiable.reference(group(tie, tie, ([["B"], ["A"]], False)), gold_preferred=None) == ("B", "consensus")
    assert verifiable.reference(group(rejected, ([["B"], ["A"]], False)), gold_preferred=None) == ("B", "consensus")
    assert verifiable.reference(group(([["A"], ["B"]], False), ([["B"], ["A"]], False)), gold_preferred=None) is None
    assert verifiable.reference(group(rejected), gold_preferred=None) is None


def test_a_conversation_gives_its_turns_and_the_reference_program_is_its_fenced_code() -> None:
    turns = [
        {"role": "system", "content": "Answer with Python."},
        {"role": "user", "content": "Sort `xs` ascending as `s(xs)`."},
    ]
    prose = "Use sorted:\n\n```python\ndef s(xs):\n    return sorted(xs)\n```\n\nIt returns a new list.\n"
    code = {"A": prose, "B": "Sort in place:\n\n```python\ndef s(xs):\n    xs.sort()\n```\n"}
    results = {"A": run("passed", test_sorts="passed"), "B": run("failed", test_sorts="failed")}
    record = judgment(
        51,
        "ann-ada",
        [["A"], ["B"]],
        task_id="chat",
        code=code,
        prompt=thread_text(turns),
        messages=turns,
        tests_code=T_ADA,
        results=results,
    )

    row = only_row([record])

    assert row["prompt"] == "System:\nAnswer with Python.\n\nUser:\nSort `xs` ascending as `s(xs)`."
    assert row["messages"] == turns
    assert row["reference"] == {
        "label": "A",
        "model": "alpha",
        "code": prose,
        "program": "def s(xs):\n    return sorted(xs)\n",
        "chosen_by": "consensus",
    }


def test_a_file_judged_in_process_without_its_marker_runs_in_process_and_javascript_names_its_files() -> None:
    code = {"A": "module.exports = { s: (xs) => [...xs].sort() };\n", "B": "module.exports = { s: (xs) => xs };\n"}
    tests = "const test = require('node:test');\n"
    marked = "// sandbox: in-process\n" + tests + "// marked\n"
    in_process = {label: {**run("passed", sorts="passed"), "trust": "in-process"} for label in "AB"}
    group = [
        judgment(61, "ann-ada", [["A"], ["B"]], task_id="js", language="javascript", code=code, tests_code=tests,
                 results=in_process),
        judgment(62, "ann-bob", [["A"], ["B"]], task_id="js", language="javascript", code=code, tests_code=marked,
                 results=in_process),
        judgment(63, "ann-ada", [["A"], ["B"]], task_id="js", language="javascript", code=code,
                 tests_code=tests + "// again\n", results={"A": {**in_process["A"], "trust": "isolated"}}),
    ]  # fmt: skip

    row = only_row(group)

    assert row["solution_file"] == "solution.js"
    assert [(t["file_name"], t["trust"], t["command"]) for t in row["tests"]] == [
        (
            "tests/test_ann-ada.js",
            "in-process",
            command("tests/test_ann-ada.js", "javascript", "solution.js").replace(" --json", " --in-process --json"),
        ),
        ("tests/test_ann-bob.js", "in-process", command("tests/test_ann-bob.js", "javascript", "solution.js")),
        ("tests/test_ann-ada-63.js", "isolated", command("tests/test_ann-ada-63.js", "javascript", "solution.js")),
    ]
    assert row["responses"][1] == {"label": "B", "model": "beta", "tests_passed": 2, "tests_total": 2, "files_run": 2}


def test_a_run_without_a_recorded_trust_or_without_a_passed_test_is_not_kept() -> None:
    untrusted = {**run("passed", test_sorts="passed"), "trust": None}
    only_skips = run("passed", test_sorts="skipped")
    group = [
        judgment(71, "ann-ada", [["A"], ["B"]], tests_code=T_ADA, results={"A": untrusted}),
        judgment(72, "ann-bob", [["A"], ["B"]], tests_code=T_EVE, results={"A": only_skips}),
    ]

    assert list(verifiable.rows(group, gold_preferred=None, image=IMAGE)) == []


def test_the_gold_answer_comes_from_task_gold_answer() -> None:
    assert verifiable.gold_preferred({"preferred": "B"}) == "B"
    assert verifiable.gold_preferred(None) is None
    assert verifiable.gold_preferred({}) is None


def test_every_column_is_in_the_features() -> None:
    features = schema.features(verifiable.COLUMNS)

    assert list(features) == [
        "task_id", "language", "prompt", "messages", "reference", "solution_file", "tests", "cases", "responses",
        "image",
    ]  # fmt: skip
    assert schema.arrow_schema(verifiable.COLUMNS).field("tests").type.value_type.num_fields == 8


# -- the row's command, really run ----------------------------------------------------------------


def run_row_command(row: dict[str, Any], test: dict[str, Any], solution: str, task_dir: Path) -> dict[str, Any]:
    """Write the answer and the test file where the row says, run the file's command from the platform's
    folder with `python` on PATH being this interpreter, and return the JSON it printed."""
    (task_dir / row["solution_file"]).write_text(solution, encoding="utf-8")
    (task_dir / test["file_name"]).parent.mkdir(parents=True, exist_ok=True)
    (task_dir / test["file_name"]).write_text(test["code"], encoding="utf-8")
    env = {
        **os.environ,
        "TASK_DIR": str(task_dir),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-c", test["command"]],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_row_command_passes_the_reference(tmp_path: Path, backend: DockerBackend) -> None:
    row = only_row(sort_task(), image=settings.SANDBOX_IMAGE)  # `backend` fails or skips without this image
    ada = row["tests"][0]

    result = run_row_command(row, ada, row["reference"]["program"], tmp_path)

    assert result["status"] == "passed" and result["trust"] == "isolated"
    assert [(t["name"], t["outcome"]) for t in result["tests"]] == [(n, "passed") for n in ada["cases"]]


def test_the_row_command_fails_a_competitor_on_the_cases_the_row_says(tmp_path: Path, backend: DockerBackend) -> None:
    row = only_row(sort_task(), image=settings.SANDBOX_IMAGE)
    ada = row["tests"][0]

    result = run_row_command(row, ada, SORT["C"], tmp_path)

    caught = [c["name"] for c in row["cases"] if c["test_file"] == ada["file_name"] and "C" in c["failed_by"]]
    assert result["status"] == "failed"
    assert [t["name"] for t in result["tests"] if t["outcome"] == "failed"] == caught == ["test_duplicates"]


def test_a_file_edited_after_its_last_run_is_exported_as_it_ran() -> None:
    """The judgment keeps the annotator's latest edit (tests_code); the row must carry the file the passing
    run ran, or an environment would reward against tests nobody saw pass."""
    group = sort_task()
    ada = next(r for r in group if r.annotator == "ann-ada")
    ada.tests_code = T_ADA + "\ndef test_added_later():\n    assert s([1]) == [2]\n"

    (row,) = verifiable.rows(group, gold_preferred=None, image=IMAGE)

    assert next(t["code"] for t in row["tests"] if t["author"] == "ann-ada") == T_ADA
