"""HumanEval through the real sandbox: every canonical solution passes its benchmark test, every
`return None` stub fails it, with the tests in the judge and the solution behind the proxy.

The 164 problems go in a few bundles (tests/sandbox/humaneval.py), one run per bundle and kind.
"""

from __future__ import annotations

import pytest

from sandbox.results import Outcome, RunResult, Status
from tests.sandbox import humaneval

BUNDLES = humaneval.bundles()
# The proxy's own errors (sandbox/harness/pyproxy.py): a stub must fail by the benchmark's checks, not by these.
PROXY_FAILURES = ("the solution could not be loaded", "the solution process ended", "the solution did not answer")
TIMEOUT = 30.0  # seconds for one bundle's run; a bundle takes a few


def outcomes(bundle: humaneval.Bundle, result: RunResult) -> dict[str, tuple[str, str]]:
    """Each problem's outcome and message, by task id; a problem with no test in the report is missing."""
    by_name = {t.name: (str(t.outcome), t.message) for t in result.tests}
    assert len(by_name) == len(result.tests), "two tests of one name in the report"
    return {p["task_id"]: by_name.get(humaneval.pytest_name(p), ("missing", "")) for p in bundle.problems}


def test_the_bundles_hold_every_problem_once() -> None:
    ids = [p["task_id"] for bundle in BUNDLES for p in bundle.problems]
    assert sorted(ids) == sorted(f"HumanEval/{n}" for n in range(164))
    assert len(BUNDLES) <= 3, [len(b.problems) for b in BUNDLES]


@pytest.mark.parametrize("index", range(len(BUNDLES)), ids=[f"bundle{i}" for i in range(len(BUNDLES))])
def test_canonical_solutions_all_pass(run, index: int) -> None:
    bundle = BUNDLES[index]
    result = run("python", bundle.solution(humaneval.canonical), bundle.tests(), timeout=TIMEOUT)

    assert result.trust == "isolated"
    failing = {
        task: message[-1500:]
        for task, (outcome, message) in outcomes(bundle, result).items()
        if outcome != Outcome.PASSED
    }
    assert failing == {}, result.message
    assert result.status == Status.PASSED, result.message
    assert result.passed == len(bundle.problems)


@pytest.mark.parametrize("index", range(len(BUNDLES)), ids=[f"bundle{i}" for i in range(len(BUNDLES))])
def test_return_none_stubs_all_fail(run, index: int) -> None:
    bundle = BUNDLES[index]
    result = run("python", bundle.solution(humaneval.stub), bundle.tests(), timeout=TIMEOUT)

    assert result.trust == "isolated"
    not_failed = {
        task: (outcome, message[-1500:])
        for task, (outcome, message) in outcomes(bundle, result).items()
        if outcome != Outcome.FAILED
    }
    assert not_failed == {}, result.message
    by_proxy = {
        task: message[-1500:]
        for task, (_, message) in outcomes(bundle, result).items()
        if any(f in message for f in PROXY_FAILURES)
    }
    assert by_proxy == {}
    assert result.status == Status.FAILED, result.message
    assert result.failed == len(bundle.problems)
