"""What a sandbox run returns: the contract of `sandbox_run --json` (see DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"  # every test ran and none failed
    FAILED = "failed"  # at least one test failed or errored
    ERROR = "error"  # the suite could not run properly: syntax or collection error, no tests, tampering
    TIMEOUT = "timeout"  # the wall-clock limit was hit
    OOM = "oom"  # the memory limit was hit
    OUTPUT_LIMIT = "output_limit"  # stdout/stderr flooded past the cap
    UNAVAILABLE = "unavailable"  # no Docker engine or no image: nothing ran


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass
class TestOutcome:
    name: str
    outcome: Outcome
    duration_ms: int = 0
    message: str = ""


@dataclass
class RunResult:
    status: Status
    tests: list[TestOutcome] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    duration_ms: int = 0
    truncated: bool = False
    message: str = ""  # why, for any status but passed/failed; what to do, for unavailable
    image_id: str = ""
    # "isolated": the solution ran apart from the tests and the verdict (the default);
    # "in-process": the test file asked to share a process with the solution, which could reach the judge.
    trust: str = "isolated"

    @property
    def passed(self) -> int:
        return sum(1 for t in self.tests if t.outcome == Outcome.PASSED)

    @property
    def failed(self) -> int:
        return sum(1 for t in self.tests if t.outcome in (Outcome.FAILED, Outcome.ERROR))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        data["tests"] = [{**asdict(t), "outcome": str(t.outcome)} for t in self.tests]
        data.update(passed=self.passed, failed=self.failed)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        tests = [TestOutcome(t["name"], Outcome(t["outcome"]), t["duration_ms"], t["message"]) for t in data["tests"]]
        fields = {
            k: data[k] for k in ("stdout", "stderr", "duration_ms", "truncated", "message", "image_id") if k in data
        }
        # Results stored before the solution ran apart from its tests were judged in its process.
        fields["trust"] = data.get("trust", "in-process")
        return cls(status=Status(data["status"]), tests=tests, **fields)

    @classmethod
    def unavailable(cls, message: str) -> RunResult:
        return cls(status=Status.UNAVAILABLE, message=message)
