from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HARNESS_DIR = Path(__file__).resolve().parent.parent / "harness"


@cache
def harness_source(name: str) -> str:
    """Text of a file in sandbox/harness/, shipped into the container with each run."""
    return (HARNESS_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Language:
    """How to run one language's tests in the sandbox.

    Either `prepare` (source run by a child forked before the payload arrives, which waits for a go
    line on stdin: lets Python import pytest ahead of time) or `command` (argv run once the files
    are written). Support files land under /tmp/harness/ and are written before the tests run.
    """

    name: str
    solution_file: str
    test_file: str
    test_template: str
    prepare: str = ""
    command: tuple[str, ...] = ()
    support_files: dict[str, str] = field(default_factory=dict)

    def files(self, *, solution: str, tests: str) -> dict[str, str]:
        return {self.solution_file: solution, self.test_file: tests, **self.support_files}

    def go_args(self) -> dict[str, object]:
        return {"files": [self.test_file]}
