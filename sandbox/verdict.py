"""Turn what came out of a container into a RunResult. Pure functions: no Docker here.

The harness report is JSON lines written by the language's reporter on a pipe of its own (never the
tested code's stdout):
  {"event": "collected", "count": n}                   tests found (when the framework knows up front)
  {"event": "test", "name", "outcome", "duration_ms", "message"}
  {"event": "error", "message"}                        collection or suite error
  {"event": "file", "outcome", "message"}              node: the test file's process ended on its own
  {"event": "tampered", "what": [...]}                 the framework was patched by the tested code
  {"event": "done"}                                    the framework finished normally
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.results import Outcome, RunResult, Status, TestOutcome


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
    tests = [_test(e) for e in events if e.get("event") == "test"]
    result = RunResult(
        status=Status.ERROR,
        tests=tests,
        stdout=harness.get("stdout", ""),
        stderr=harness.get("stderr", ""),
        duration_ms=int(harness.get("duration_ms", 0)),
        truncated=harness.get("stdout_bytes", 0) > output_cap or harness.get("stderr_bytes", 0) > output_cap,
    )
    status, message = _status(end, harness, events, tests, timeout=timeout)
    result.status, result.message = status, message
    if status == Status.ERROR and ("test framework" in message or "reported a result" in message):
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


def _status(
    end: ContainerEnd,
    harness: dict[str, Any],
    events: list[dict[str, Any]],
    tests: list[TestOutcome],
    *,
    timeout: float,
) -> tuple[Status, str]:
    reason = harness.get("reason")
    if end.host_timeout or reason == "timeout":
        return Status.TIMEOUT, f"the tests did not finish within {timeout:g} s and were stopped"
    if end.oom_killed or (harness.get("oom_kills") or 0) > 0:
        return Status.OOM, "the tests ran out of memory and were killed"
    if end.host_flood or reason in ("output_limit", "report_limit"):
        return Status.OUTPUT_LIMIT, "the tests printed more output than allowed and were stopped"
    if not end.harness:
        code = end.exit_code
        tail = end.harness_stderr.strip()[-1500:]
        return Status.ERROR, (
            f"the sandbox ended without a result (exit code {code}): "
            "the tested code may have killed the test harness" + (f"\n{tail}" if tail else "")
        )
    kinds = {e.get("event") for e in events}
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
    collected = [e.get("count") for e in events if e.get("event") == "collected"]
    if collected and collected[-1] != len(tests):
        return Status.ERROR, f"{collected[-1]} tests were collected but {len(tests)} reported a result"
    if not tests:
        return Status.ERROR, "no tests were found: name test functions test_... (Python) or use test() (JavaScript)"
    if any(t.outcome in (Outcome.FAILED, Outcome.ERROR) for t in tests):
        return Status.FAILED, ""
    if not any(t.outcome == Outcome.PASSED for t in tests):
        return Status.ERROR, "every test was skipped"
    return Status.PASSED, ""
