"""Correct and buggy solutions in both languages give the right per-test outcomes."""

import pytest

from sandbox.results import Outcome, Status
from tasks.demo_tasks import DEMO_TASKS

PY_TESTS = """\
import pytest
from solution import median


def test_odd():
    assert median([3, 1, 2]) == 2


def test_even():
    assert median([4, 1, 3, 2]) == 2.5


def test_empty():
    with pytest.raises(ValueError):
        median([])


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
"""
PY_CORRECT = """\
def median(xs):
    if not xs:
        raise ValueError("empty")
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
"""
PY_BUGGY = """\
def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]
"""
JS_TESTS = """\
const test = require('node:test');
const assert = require('node:assert');
const { median } = require('./solution');

test('odd', () => { assert.strictEqual(median([3, 1, 2]), 2); });
test('even', () => { assert.strictEqual(median([4, 1, 3, 2]), 2.5); });
test('big numbers sort numerically', () => { assert.strictEqual(median([10, 9, 1]), 9); });
"""
JS_CORRECT = """\
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
module.exports = { median };
"""
JS_BUGGY = """\
function median(xs) {
  const s = [...xs].sort();
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
module.exports = { median };
"""


def outcomes(result):
    return {t.name: t.outcome for t in result.tests}


def test_a_correct_python_solution_passes(run) -> None:
    result = run("python", PY_CORRECT, PY_TESTS)

    assert result.status == Status.PASSED
    assert outcomes(result) == {
        "test_odd": Outcome.PASSED,
        "test_even": Outcome.PASSED,
        "test_empty": Outcome.PASSED,
        "test_skipped": Outcome.SKIPPED,
    }
    assert (result.passed, result.failed) == (3, 0)
    assert result.image_id.startswith("sha256:")


def test_a_buggy_python_solution_fails_exactly_the_right_tests(run) -> None:
    result = run("python", PY_BUGGY, PY_TESTS)

    assert result.status == Status.FAILED
    assert outcomes(result) == {
        "test_odd": Outcome.PASSED,
        "test_even": Outcome.FAILED,
        "test_empty": Outcome.FAILED,
        "test_skipped": Outcome.SKIPPED,
    }
    even = next(t for t in result.tests if t.name == "test_even")
    assert "assert 3 == 2.5" in even.message


def test_a_correct_javascript_solution_passes(run) -> None:
    result = run("javascript", JS_CORRECT, JS_TESTS)

    assert result.status == Status.PASSED
    assert set(outcomes(result).values()) == {Outcome.PASSED} and len(result.tests) == 3


def test_a_buggy_javascript_solution_fails_exactly_the_right_test(run) -> None:
    result = run("javascript", JS_BUGGY, JS_TESTS)

    assert result.status == Status.FAILED
    assert outcomes(result) == {
        "odd": Outcome.PASSED,
        "even": Outcome.PASSED,
        "big numbers sort numerically": Outcome.FAILED,
    }
    assert "10 !== 9" in result.tests[2].message


def test_nested_javascript_tests_are_named_by_their_suite(run) -> None:
    tests = JS_TESTS.replace(
        "test('odd'", "test.describe('median', () => { test.it('inner', () => {}); });\ntest('odd'"
    )

    result = run("javascript", JS_CORRECT, tests)

    assert "median > inner" in outcomes(result)


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_a_syntax_error_in_the_solution_is_an_error_not_a_failure(run, language: str) -> None:
    solution, tests = (PY_CORRECT, PY_TESTS) if language == "python" else (JS_CORRECT, JS_TESTS)

    result = run(language, solution.replace("(xs)", "(xs", 1), tests)

    assert result.status == Status.ERROR
    assert "SyntaxError" in result.message + result.stderr


def test_a_test_file_without_tests_is_an_error(run) -> None:
    result = run("python", PY_CORRECT, "from solution import median\n")

    assert result.status == Status.ERROR and "no tests were found" in result.message


def test_a_fixture_error_is_reported_as_error_for_that_test(run) -> None:
    tests = (
        "import pytest\n\n@pytest.fixture\ndef broken():\n    raise RuntimeError('db down')\n\n"
        "def test_uses(broken):\n    pass\n\ndef test_fine():\n    pass\n"
    )

    result = run("python", PY_CORRECT, tests)

    assert result.status == Status.FAILED
    assert outcomes(result) == {"test_uses": Outcome.ERROR, "test_fine": Outcome.PASSED}
    assert "db down" in result.tests[0].message


DEMO = [t for t in DEMO_TASKS if t["id"] in {"demo-py-002", "demo-py-006", "demo-py-013", "demo-js-002", "demo-js-004"}]


@pytest.mark.parametrize("task", DEMO, ids=[t["id"] for t in DEMO])
def test_demo_reference_tests_separate_correct_from_buggy_responses(run, task) -> None:
    notes = task["metadata"]["notes"]
    for response in task["responses"]:
        result = run(task["language"], response["code"], task["metadata"]["reference_tests"])
        expected = Status.FAILED if notes[response["model"]].startswith("bug") else Status.PASSED
        assert result.status == expected, (response["model"], result.message, result.tests)
