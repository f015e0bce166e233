"""Turn what came out of a container into a RunResult. Pure functions: no Docker here.

The judge's report is JSON lines written by the language's reporter on a pipe of its own (never the
tested code's stdout):
  {"event": "collected", "tests": [{"name", "declared_skip"}]}   tests the file defines
  {"event": "test", "name", "outcome", "duration_ms", "message"}
  {"event": "error", "message"}                        collection or suite error
  {"event": "file", "outcome", "message"}              node: the test file's process ended on its own
  {"event": "tampered", "what": [...]}                 in-process: the framework was patched
  {"event": "call_timeout", "message"}                 a call into the solution ran out of time
  {"event": "done"}                                    the framework finished normally

The tests to expect come from a step in which no solution code runs: the collection step's report
when there is one (JavaScript, in-process runs), else the judge's own collection, which in isolated
mode finishes before the proxy lets anything cross. Every expected test must be reported exactly
once; a skip the test file did not declare is a failure; a run in which nothing passed is not passed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sandbox.results import Outcome, RunResult, Status, TestOutcome

# The proxies' own messages (sandbox/harness/pyproxy.py, js_proxy.js).
LOAD_FAILED = "the solution could not be loaded:"
NO_ANSWER = "the solution did not answer within the time limit"
UNDECLARED_SKIP = "skipped while running, but the test file does not declare this skip: counted as a failure"
TEST_OUTPUT_HEADER = "\n--- printed by the tests ---\n"


@dataclass
class ContainerEnd:
    """What the host saw of the container, besides the harness's own result."""

    harness: dict[str, Any] | None  # the nonce-framed result, None if there was none
    exit_code: int | None
    oom_killed: bool
    host_timeout: bool  # the host's wall-clock deadline killed the container
    host_flood: bool  # the container's own output passed the host's cap
    harness_stderr: str = ""


def judge(end: ContainerEnd, *, timeout: float, output_cap: int) -> RunResult:
    harness = end.harness or {}
    events = parse_events(harness.get("report", ""))
    collection = parse_events(harness.get("collection") or "")
    tests = [_test(e) for e in events if e.get("event") == "test"]
    expected = _expected(collection or events)
    _fail_undeclared_skips(tests, expected)
    result = RunResult(
        status=Status.ERROR,
        tests=tests,
        stdout=_joined(harness.get("stdout", ""), harness.get("judge_stdout", "")),
        stderr=_joined(harness.get("stderr", ""), harness.get("judge_stderr", "")),
        duration_ms=int(harness.get("duration_ms", 0)),
        truncated=harness.get("stdout_bytes", 0) > output_cap or harness.get("stderr_bytes", 0) > output_cap,
    )
    status, message = _status(end, harness, events + collection, tests, expected, timeout=timeout)
    result.status, result.message = status, message
    if status == Status.ERROR and ("test framework" in message or "reported" in message):
        # The reports themselves cannot be trusted: keep the names, not the verdicts.
        for test in tests:
            test.outcome, test.message = Outcome.ERROR, "result discarded: " + message
    if status == Status.TIMEOUT and not result.duration_ms:
        result.duration_ms = int(timeout * 1000)
    return result


def parse_events(report: str) -> list[dict[str, Any]]:
    events = []
    for line in report.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut by the cap
        if isinstance(event, dict):
            events.append(event)
    return events


def _joined(tested: str, judge: str) -> str:
    return tested + (TEST_OUTPUT_HEADER + judge if judge else "")


def _test(event: dict[str, Any]) -> TestOutcome:
    try:
        outcome = Outcome(str(event.get("outcome")))
    except ValueError:
        outcome = Outcome.ERROR
    return TestOutcome(
        name=str(event.get("name", "?"))[:500],
        outcome=outcome,
        duration_ms=int(event.get("duration_ms") or 0),
        message=str(event.get("message") or ""),
    )


def _expected(events: list[dict[str, Any]]) -> dict[str, bool] | None:
    """name -> declared skip, from the last collection event; None when there was none."""
    collected = [e for e in events if e.get("event") == "collected" and isinstance(e.get("tests"), list)]
    if not collected:
        return None
    return {
        str(t.get("name"))[:500]: bool(t.get("declared_skip")) for t in collected[-1]["tests"] if isinstance(t, dict)
    }


def _fail_undeclared_skips(tests: list[TestOutcome], expected: dict[str, bool] | None) -> None:
    for test in tests:
        if test.outcome == Outcome.SKIPPED and not (expected or {}).get(test.name, False):
            test.outcome = Outcome.FAILED
            test.message = UNDECLARED_SKIP + (f"\n{test.message}" if test.message else "")


def _status(
    end: ContainerEnd,
    harness: dict[str, Any],
    events: list[dict[str, Any]],
    tests: list[TestOutcome],
    expected: dict[str, bool] | None,
    *,
    timeout: float,
) -> tuple[Status, str]:
    reason = harness.get("reason")
    kinds = {e.get("event") for e in events}
    if end.host_timeout or reason == "timeout":
        return Status.TIMEOUT, f"the tests did not finish within {timeout:g} s and were stopped"
    if end.oom_killed or (harness.get("oom_kills") or 0) > 0:
        return Status.OOM, "the tests ran out of memory and were killed"
    if end.host_flood or reason in ("output_limit", "report_limit"):
        return Status.OUTPUT_LIMIT, "the tested code printed more output than allowed and was stopped"
    if not end.harness:
        code = end.exit_code
        tail = end.harness_stderr.strip()[-1500:]
        return Status.ERROR, (
            f"the sandbox ended without a result (exit code {code}): "
            "the tested code may have killed the test harness" + (f"\n{tail}" if tail else "")
        )
    if "call_timeout" in kinds or any(NO_ANSWER in t.message[:300] for t in tests):
        return Status.TIMEOUT, f"{NO_ANSWER} ({timeout:g} s) and the run was stopped"
    if "tampered" in kinds:
        what = sorted({w for e in events if e.get("event") == "tampered" for w in e.get("what", [])})
        return Status.ERROR, f"the tested code modified the test framework ({', '.join(what)}); results discarded"
    errors = [str(e.get("message", "")) for e in events if e.get("event") == "error"]
    if errors:
        return Status.ERROR, "the tests could not be collected or set up:\n" + "\n".join(errors)[:4000]
    files = [e for e in events if e.get("event") == "file"]
    if files:
        detail = files[0].get("message") or f"exit code {harness.get('exit_code')}"
        return Status.ERROR, f"the test process ended before reporting its tests ({detail})"
    if "done" not in kinds:
        return Status.ERROR, (
            f"the test process ended before finishing (exit code {harness.get('exit_code')}); "
            "the tested code may have exited or killed it"
        )
    mismatch = _mismatch(expected, tests)
    if mismatch:
        return Status.ERROR, mismatch
    if not tests:
        return Status.ERROR, "no tests were found: name test functions test_... (Python) or use test() (JavaScript)"
    failing = [t for t in tests if t.outcome in (Outcome.FAILED, Outcome.ERROR)]
    loading = [t for t in failing if LOAD_FAILED in t.message]
    if loading and len(loading) == len(failing):
        first = loading[0].message
        return Status.ERROR, first[first.find(LOAD_FAILED) :].replace("\nE   ", "\n")[:4000]
    if failing:
        return Status.FAILED, ""
    if not any(t.outcome == Outcome.PASSED for t in tests):
        return Status.ERROR, "every test was skipped"
    return Status.PASSED, ""


def _mismatch(expected: dict[str, bool] | None, tests: list[TestOutcome]) -> str:
    """Why the reported tests are not exactly the collected ones, or "" when they are."""
    if expected is None:
        return "the test framework did not say which tests the file defines; results discarded"
    counts = Counter(t.name for t in tests)
    twice = sorted(name for name, n in counts.items() if n > 1)
    missing = sorted(set(expected) - set(counts))
    unknown = sorted(set(counts) - set(expected))
    if not (twice or missing or unknown):
        return ""
    parts = []
    if missing:
        parts.append(f"{len(missing)} never reported ({', '.join(missing[:5])})")
    if unknown:
        parts.append(f"{len(unknown)} reported that the file does not define ({', '.join(unknown[:5])})")
    if twice:
        parts.append(f"{len(twice)} reported more than once ({', '.join(twice[:5])})")
    return f"{len(expected)} tests were collected but the results do not match: " + "; ".join(parts)
