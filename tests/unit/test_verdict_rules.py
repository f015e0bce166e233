"""The verdict rules on crafted container ends: no Docker, so every rule is checked in every run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.results import Outcome, RunResult, Status
from sandbox.verdict import ContainerEnd, judge


def lines(*events: dict[str, Any]) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def collected(*names: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"event": "collected", "tests": [{"name": n, "declared_skip": n in skip} for n in names]}


def ran(name: str, outcome: str = "passed", message: str = "") -> dict[str, Any]:
    return {"event": "test", "name": name, "outcome": outcome, "duration_ms": 1, "message": message}


DONE = {"event": "done"}


def verdict(report: str, *, collection: str | None = None, **harness: Any) -> RunResult:
    frame = {"report": report, "collection": collection, "exit_code": 0, "duration_ms": 5, **harness}
    end = ContainerEnd(harness=frame, exit_code=0, oom_killed=False, host_timeout=False, host_flood=False)
    return judge(end, timeout=10, output_cap=1000)


def test_every_collected_test_reported_once_and_passing_is_passed() -> None:
    result = verdict(lines(collected("a", "b"), ran("a"), ran("b"), DONE))

    assert result.status == Status.PASSED and result.passed == 2


def test_a_failure_is_failed() -> None:
    result = verdict(lines(collected("a", "b"), ran("a"), ran("b", "failed", "assert 1 == 2"), DONE))

    assert result.status == Status.FAILED and result.failed == 1


@pytest.mark.parametrize(
    ("reported", "why"),
    [
        (["a"], "never reported"),  # a test deleted or filtered out
        (["a", "b", "b"], "more than once"),  # a failing result overwritten by a passing copy
        (["a", "b", "c"], "does not define"),  # an invented test
    ],
)
def test_the_reported_tests_must_be_exactly_the_collected_ones(reported: list[str], why: str) -> None:
    result = verdict(lines(collected("a", "b"), *[ran(n) for n in reported], DONE))

    assert result.status == Status.ERROR and why in result.message
    assert all(t.outcome == Outcome.ERROR for t in result.tests)  # the reports themselves are discarded


def test_no_collection_step_means_no_verdict() -> None:
    result = verdict(lines(ran("a"), DONE))

    assert result.status == Status.ERROR and "did not say which tests" in result.message


def test_the_collection_step_wins_over_the_judges_own_list() -> None:
    # JavaScript and in-process runs: the collector's list (no solution code ran) is what counts.
    result = verdict(lines(collected("a"), ran("a"), DONE), collection=lines(collected("a", "b")))

    assert result.status == Status.ERROR and "never reported (b)" in result.message


def test_a_skip_the_file_did_not_declare_is_a_failure() -> None:
    report = lines(collected("a", "b", "c", skip=("c",)), ran("a"), ran("b", "skipped"), ran("c", "skipped"), DONE)

    result = verdict(report)

    assert result.status == Status.FAILED
    assert [t.outcome for t in result.tests] == [Outcome.PASSED, Outcome.FAILED, Outcome.SKIPPED]
    assert "does not declare this skip" in result.tests[1].message


def test_every_test_skipped_is_not_passed() -> None:
    result = verdict(lines(collected("a", skip=("a",)), ran("a", "skipped"), DONE))

    assert result.status == Status.ERROR and "every test was skipped" in result.message


def test_no_tests_is_an_error() -> None:
    assert verdict(lines(collected(), DONE)).status == Status.ERROR


def test_a_run_that_did_not_finish_is_an_error() -> None:
    result = verdict(lines(collected("a"), ran("a")))

    assert result.status == Status.ERROR and "ended before finishing" in result.message


def test_a_solution_that_could_not_be_loaded_is_an_error_not_a_failure() -> None:
    message = "E   pyproxy.SolutionGone: the solution could not be loaded:\nE   SyntaxError: bad"
    result = verdict(lines(collected("a", "b"), ran("a", "failed", message), ran("b", "failed", message), DONE))

    assert result.status == Status.ERROR and result.message.startswith("the solution could not be loaded:")
    assert "SyntaxError: bad" in result.message


def test_a_load_failure_beside_a_real_failure_stays_failed() -> None:
    loading = "the solution could not be loaded:\nboom"
    result = verdict(lines(collected("a", "b"), ran("a", "failed", loading), ran("b", "failed", "assert"), DONE))

    assert result.status == Status.FAILED


def test_a_call_that_timed_out_makes_the_run_a_timeout() -> None:
    report = lines(collected("a", "b"), ran("a"), {"event": "call_timeout"}, ran("b", "failed", "x"), DONE)

    result = verdict(report)

    assert result.status == Status.TIMEOUT and result.tests[0].outcome == Outcome.PASSED


@pytest.mark.parametrize(
    ("harness", "status"),
    [
        ({"reason": "timeout"}, Status.TIMEOUT),
        ({"reason": "output_limit"}, Status.OUTPUT_LIMIT),
        ({"reason": "report_limit"}, Status.OUTPUT_LIMIT),
        ({"oom_kills": 1}, Status.OOM),
    ],
)
def test_limits_win_over_results(harness: dict[str, Any], status: Status) -> None:
    assert verdict(lines(collected("a"), ran("a"), DONE), **harness).status == status


def test_tampering_in_process_discards_the_results() -> None:
    report = lines(collected("a"), ran("a"), {"event": "tampered", "what": ["Function.runtest"]}, DONE)

    result = verdict(report)

    assert result.status == Status.ERROR and "Function.runtest" in result.message
    assert result.tests[0].outcome == Outcome.ERROR


def test_no_frame_is_an_error_with_the_harness_stderr() -> None:
    end = ContainerEnd(
        harness=None, exit_code=137, oom_killed=False, host_timeout=False, host_flood=False, harness_stderr="died"
    )

    result = judge(end, timeout=10, output_cap=1000)

    assert result.status == Status.ERROR and "exit code 137" in result.message and "died" in result.message


def test_the_tested_codes_output_is_what_counts_toward_truncation() -> None:
    result = verdict(
        lines(collected("a"), ran("a"), DONE),
        stdout="s",
        judge_stdout="t",
        stdout_bytes=10,
        stderr_bytes=2000,
    )

    assert result.truncated and result.stdout == "s\n--- printed by the tests ---\nt"


def test_stored_results_from_before_isolation_read_as_in_process() -> None:
    old = {"status": "passed", "tests": [], "stdout": "", "stderr": ""}

    assert RunResult.from_dict(old).trust == "in-process"
    assert RunResult.from_dict({**old, "trust": "isolated"}).trust == "isolated"
