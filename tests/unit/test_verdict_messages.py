"""The sandbox verdict (sandbox/verdict.py) down to the exact words an annotator reads, the fields of the
result and the edges of every cap. No Docker: crafted container ends, as in test_verdict_rules.py."""

from __future__ import annotations

import json
from typing import Any

from sandbox import verdict as v
from sandbox.results import Outcome, RunResult, Status
from sandbox.results import TestOutcome as Reported  # (a name pytest does not take for a test class)
from sandbox.verdict import LOAD_FAILED, NO_ANSWER, UNDECLARED_SKIP, ContainerEnd, judge

DONE = {"event": "done"}


def lines(*events: dict[str, Any]) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def collected(*names: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"event": "collected", "tests": [{"name": n, "declared_skip": n in skip} for n in names]}


def ran(name: str, outcome: str = "passed", message: str = "", duration_ms: int = 1) -> dict[str, Any]:
    return {"event": "test", "name": name, "outcome": outcome, "duration_ms": duration_ms, "message": message}


def end(harness: dict[str, Any] | None, **flags: Any) -> ContainerEnd:
    base = {"exit_code": 0, "oom_killed": False, "host_timeout": False, "host_flood": False}
    return ContainerEnd(harness=harness, **{**base, **flags})


def verdict(report: str, *, timeout: float = 10, output_cap: int = 1000, **harness: Any) -> RunResult:
    frame = {"report": report, "exit_code": 3, "duration_ms": 5, **harness}
    return judge(end(frame), timeout=timeout, output_cap=output_cap)


OK = lines(collected("a"), ran("a"), DONE)


# --- limits and missing frames ------------------------------------------------------------------------


def test_the_limit_messages() -> None:
    assert (verdict(OK, reason="timeout").status, verdict(OK, reason="timeout").message) == (
        Status.TIMEOUT,
        "the tests did not finish within 10 s and were stopped",
    )
    assert (
        verdict(OK, timeout=2.5, reason="timeout").message == "the tests did not finish within 2.5 s and were stopped"
    )
    oom = judge(end({"report": OK}, oom_killed=True), timeout=10, output_cap=1000)
    assert (oom.status, oom.message) == (Status.OOM, "the tests ran out of memory and were killed")
    flood = judge(end({"report": OK}, host_flood=True), timeout=10, output_cap=1000)
    assert (flood.status, flood.message) == (
        Status.OUTPUT_LIMIT,
        "the tested code printed more output than allowed and was stopped",
    )
    host = judge(end({"report": OK}, host_timeout=True), timeout=10, output_cap=1000)
    assert host.status == Status.TIMEOUT


def test_a_limit_wins_over_the_next_one_in_order() -> None:
    both = judge(end({"report": OK, "reason": "output_limit"}, oom_killed=True), timeout=10, output_cap=1000)

    assert both.status == Status.OOM
    assert verdict(OK, oom_kills=0).status == Status.PASSED


def test_no_frame_keeps_the_last_1500_characters_of_the_harness_stderr() -> None:
    stderr = "  " + "a" * 100 + "b" * 1500 + "\n"

    result = judge(end(None, exit_code=137, harness_stderr=stderr), timeout=10, output_cap=1000)

    assert result.status == Status.ERROR
    assert result.message == (
        "the sandbox ended without a result (exit code 137): the tested code may have killed the test harness\n"
        + "b" * 1500
    )


def test_no_frame_and_no_stderr_is_one_line() -> None:
    result = judge(end(None, exit_code=None, harness_stderr=" \n"), timeout=10, output_cap=1000)

    assert result.message == (
        "the sandbox ended without a result (exit code None): the tested code may have killed the test harness"
    )


# --- the run's own output ----------------------------------------------------------------------------


def test_the_outputs_of_the_tested_code_and_of_the_tests_are_joined_under_a_header() -> None:
    result = verdict(OK, stdout="out", judge_stdout="tout", stderr="err", judge_stderr="terr", duration_ms=42)

    assert result.stdout == "out\n--- printed by the tests ---\ntout"
    assert result.stderr == "err\n--- printed by the tests ---\nterr"
    assert result.duration_ms == 42


def test_without_output_of_the_tests_there_is_no_header_and_missing_fields_are_empty() -> None:
    result = judge(end({"report": OK, "stdout": "out", "stderr": "err"}), timeout=10, output_cap=1000)
    bare = judge(end({"report": OK}), timeout=10, output_cap=1000)

    assert (result.stdout, result.stderr) == ("out", "err")
    assert (bare.stdout, bare.stderr, bare.duration_ms, bare.truncated) == ("", "", 0, False)
    assert bare.status == Status.PASSED and bare.message == ""


def test_output_is_truncated_only_past_the_cap() -> None:
    assert verdict(OK, stdout_bytes=1000, stderr_bytes=1000).truncated is False
    assert verdict(OK, stdout_bytes=1001).truncated is True
    assert verdict(OK, stderr_bytes=1001).truncated is True
    assert judge(end({"report": OK}), timeout=10, output_cap=0).truncated is False  # no byte counts: 0 bytes


def test_a_timeout_without_a_duration_lasted_the_whole_limit() -> None:
    assert verdict(OK, reason="timeout", duration_ms=0, timeout=2.5).duration_ms == 2500
    assert verdict(OK, reason="timeout", duration_ms=7).duration_ms == 7
    assert verdict(OK, duration_ms=0).duration_ms == 0  # only a timeout is filled in


# --- the tests reported -------------------------------------------------------------------------------


def test_each_reported_test_keeps_its_name_outcome_duration_and_message() -> None:
    report = lines(collected("a", "b"), ran("a", duration_ms=7), ran("b", "failed", "assert 1 == 2"), DONE)

    result = verdict(report)

    assert result.tests == [
        Reported("a", Outcome.PASSED, 7, ""),
        Reported("b", Outcome.FAILED, 1, "assert 1 == 2"),
    ]
    assert (result.status, result.message) == (Status.FAILED, "")


def test_an_unknown_outcome_is_an_error_and_missing_fields_have_defaults() -> None:
    report = lines(
        collected("a", "?"),
        {"event": "test", "name": "a", "outcome": "exploded", "duration_ms": None, "message": None},
        {"event": "test", "outcome": "passed"},
        DONE,
    )

    result = verdict(report)

    assert result.tests == [Reported("a", Outcome.ERROR, 0, ""), Reported("?", Outcome.PASSED, 0, "")]
    assert result.status == Status.FAILED


def test_names_are_cut_to_500_characters_on_both_sides() -> None:
    long = "t" * 600

    result = verdict(lines(collected(long), ran(long), DONE))

    assert result.status == Status.PASSED
    assert result.tests[0].name == "t" * 500


def test_a_broken_line_in_the_report_does_not_hide_the_lines_after_it() -> None:
    report = json.dumps(collected("a")) + "\n" + '{"event": "test", "na' + "\n" + lines(ran("a"), DONE)

    assert verdict(report).status == Status.PASSED


def test_only_a_collected_event_with_a_list_says_which_tests_exist() -> None:
    report = lines(collected("a"), ran("a"), {"event": "collected", "tests": "junk"}, {"event": "x", "tests": []}, DONE)

    assert verdict(report).status == Status.PASSED


def test_a_collection_report_of_its_own_is_read_too() -> None:
    result = verdict(lines(ran("a"), DONE), collection=lines(collected("a")))

    assert result.status == Status.PASSED


# --- skips --------------------------------------------------------------------------------------------


def test_an_undeclared_skip_becomes_a_failure_with_its_reason_below() -> None:
    report = lines(collected("a", "b", "c"), ran("a"), ran("b", "skipped", "no network"), ran("c", "skipped"), DONE)

    result = verdict(report)

    assert [(t.outcome, t.message) for t in result.tests] == [
        (Outcome.PASSED, ""),
        (Outcome.FAILED, UNDECLARED_SKIP + "\nno network"),
        (Outcome.FAILED, UNDECLARED_SKIP),
    ]


def test_without_a_collection_every_skip_is_undeclared() -> None:
    tests = [Reported("a", Outcome.SKIPPED), Reported("b", Outcome.SKIPPED)]

    v._fail_undeclared_skips(tests, None)

    assert [t.outcome for t in tests] == [Outcome.FAILED, Outcome.FAILED]


def test_a_declared_skip_stays_a_skip_and_a_name_the_collection_lacks_is_undeclared() -> None:
    tests = [Reported("a", Outcome.SKIPPED), Reported("zz", Outcome.SKIPPED)]

    v._fail_undeclared_skips(tests, {"a": True})

    assert [t.outcome for t in tests] == [Outcome.SKIPPED, Outcome.FAILED]


def test_every_test_skipped_keeps_the_outcomes() -> None:
    result = verdict(lines(collected("a", skip=("a",)), ran("a", "skipped"), DONE))

    assert (result.status, result.message) == (Status.ERROR, "every test was skipped")
    assert result.tests[0].outcome == Outcome.SKIPPED  # not a discarded report: the skip is real


# --- what went wrong inside the run -------------------------------------------------------------------


def test_a_call_timeout_names_the_limit() -> None:
    result = verdict(lines(collected("a"), ran("a"), {"event": "call_timeout"}, DONE), timeout=3)

    assert (result.status, result.message) == (
        Status.TIMEOUT,
        "the solution did not answer within the time limit (3 s) and the run was stopped",
    )


def test_the_no_answer_message_counts_only_near_the_start_of_a_failure() -> None:
    near = "x" * 251 + NO_ANSWER  # ends at character 300
    far = "x" * 252 + NO_ANSWER  # ends at 301: a test that prints the words itself

    assert verdict(lines(collected("a"), ran("a", "failed", near), DONE)).status == Status.TIMEOUT
    assert verdict(lines(collected("a"), ran("a", "failed", far), DONE)).status == Status.FAILED


def test_tampering_names_everything_patched_once_sorted() -> None:
    report = lines(
        collected("a"),
        ran("a"),
        {"event": "tampered", "what": ["b.run", "a.call"]},
        {"event": "tampered"},
        {"event": "tampered", "what": ["a.call", "c.x"]},
        DONE,
    )

    result = verdict(report)

    message = "the tested code modified the test framework (a.call, b.run, c.x); results discarded"
    assert (result.status, result.message) == (Status.ERROR, message)
    assert [(t.outcome, t.message) for t in result.tests] == [(Outcome.ERROR, "result discarded: " + message)]


def test_collection_errors_are_listed_one_a_line_up_to_4000_characters() -> None:
    report = lines(
        {"event": "error", "message": "SyntaxError: x"}, {"event": "error"}, {"event": "error", "message": 3}
    )
    long = lines({"event": "error", "message": "e" * 5000})

    assert verdict(report).message == "the tests could not be collected or set up:\nSyntaxError: x\n\n3"
    assert verdict(long).message == "the tests could not be collected or set up:\n" + "e" * 4000
    assert verdict(long).status == Status.ERROR


def test_a_test_file_that_ended_on_its_own_gives_its_reason_or_the_exit_code() -> None:
    with_reason = lines({"event": "file", "message": "killed by SIGKILL"}, {"event": "file", "message": "second"})
    without = lines({"event": "file", "outcome": "error"})

    assert verdict(with_reason).message == "the test process ended before reporting its tests (killed by SIGKILL)"
    assert verdict(without).message == "the test process ended before reporting its tests (exit code 3)"


def test_a_run_that_never_said_done_names_the_exit_code() -> None:
    result = verdict(lines(collected("a"), ran("a")))

    assert (result.status, result.message) == (
        Status.ERROR,
        "the test process ended before finishing (exit code 3); the tested code may have exited or killed it",
    )


def test_no_tests_tells_how_to_name_them() -> None:
    result = verdict(lines(collected(), DONE))

    assert result.message == "no tests were found: name test functions test_... (Python) or use test() (JavaScript)"


def test_a_load_failure_is_reported_from_the_proxys_words_of_the_first_failing_test() -> None:
    first = f"E   pyproxy.SolutionGone: {LOAD_FAILED}\nE   SyntaxError: bad\nE   x = (\nsee {LOAD_FAILED} above"
    second = f"{LOAD_FAILED} other"
    report = lines(collected("a", "b", "c"), ran("a"), ran("b", "failed", first), ran("c", "error", second), DONE)

    result = verdict(report)

    assert result.status == Status.ERROR
    assert result.message == f"{LOAD_FAILED}\nSyntaxError: bad\nx = (\nsee {LOAD_FAILED} above"
    assert [t.outcome for t in result.tests] == [Outcome.PASSED, Outcome.FAILED, Outcome.ERROR]  # kept


def test_a_load_failure_message_is_capped_at_4000_characters() -> None:
    message = LOAD_FAILED + "z" * 5000

    result = verdict(lines(collected("a"), ran("a", "failed", message), DONE))

    assert result.message == (LOAD_FAILED + "z" * 5000)[:4000]


# --- the reported tests against the collected ones ---------------------------------------------------


def test_no_collection_at_all_discards_the_results() -> None:
    result = verdict(lines(ran("a"), DONE))

    message = "the test framework did not say which tests the file defines; results discarded"
    assert (result.status, result.message) == (Status.ERROR, message)
    assert [(t.outcome, t.message) for t in result.tests] == [(Outcome.ERROR, "result discarded: " + message)]


def test_a_mismatch_names_up_to_five_of_each_kind() -> None:
    names = [f"t{i}" for i in range(1, 9)]
    report = lines(
        collected(*names),
        *[ran(n) for n in ("t1", "t2")],
        *[ran(n) for n in ("u1", "u2", "u3", "u4", "u5", "u6")],
        *[ran("t1")],
        DONE,
    )

    result = verdict(report)

    assert result.message == (
        "8 tests were collected but the results do not match: "
        "6 never reported (t3, t4, t5, t6, t7); "
        "6 reported that the file does not define (u1, u2, u3, u4, u5); "
        "1 reported more than once (t1)"
    )


def test_tests_reported_twice_are_named_up_to_five() -> None:
    names = ["a", "b", "c", "d", "e", "f"]
    report = lines(collected(*names), *[ran(n) for n in names], *[ran(n) for n in names], DONE)

    assert verdict(report).message == (
        "6 tests were collected but the results do not match: 6 reported more than once (a, b, c, d, e)"
    )


def test_a_mismatch_of_one_kind_alone() -> None:
    twice = verdict(lines(collected("a", "b"), ran("b"), ran("a"), ran("b"), ran("a"), DONE))

    assert twice.message == "2 tests were collected but the results do not match: 2 reported more than once (a, b)"
