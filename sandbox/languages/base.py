"""What the engine needs to know of a language: its files, and how each role of a run starts.

A run has a judge (the test framework, under the judge's uid) and, in isolated mode, a solution
server (the solution, under its own uid) that the judge reaches through the proxy; see
sandbox/harness/PROTOCOL.md. A role either runs a harness file forked warm before the payload
arrives (`*_source`: Python imports pytest ahead of time) or a command started once the files are
written (`*_command`).
"""

import base64
import json
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HARNESS_DIR = Path(__file__).resolve().parent.parent / "harness"
IN_PROCESS = "sandbox: in-process"  # the marker, in a comment of the test file, that asks for in-process mode


@cache
def harness_source(name: str) -> str:
    """Text of a file in sandbox/harness/."""
    return (HARNESS_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Language:
    name: str
    label: str  # what people read: "Python"
    editor_mode: str  # the CodeMirror mode, vendored under annotation/static/vendor/codemirror/mode/
    framework: str  # what the tests are written in, as the workspace says it: "pytest"
    import_hint: str  # how a test reaches the solution: "from solution import …"
    solution_file: str
    test_file: str
    test_template: str
    comment: str  # how a line comment starts: the in-process marker is `<comment> sandbox: in-process`
    harness_files: tuple[str, ...]  # installed in /tmp/harness/ when the container starts
    judge_source: str = ""
    server_source: str = ""
    judge_command: tuple[str, ...] = ()
    server_command: tuple[str, ...] = ()
    collect_command: tuple[str, ...] = ()  # a separate collection step on every run
    proxy_module: str = ""  # written beside the tests as the solution's file name: the proxy client

    def wants_in_process(self, tests: str) -> bool:
        marker = f"{self.comment} {IN_PROCESS}"
        return any(line.strip() == marker for line in tests.splitlines())

    @cache  # noqa: B019 - a handful of frozen instances, kept for the process
    def bundle(self) -> str:
        """The harness's argument: its other files and the warm roles, compressed."""
        files = {name: harness_source(name) for name in self.harness_files}
        warm = {"judge": files.get(self.judge_source, ""), "server": files.get(self.server_source, "")}
        data = json.dumps({"files": files, **warm}).encode()
        return base64.b64encode(zlib.compress(data, 9)).decode()

    def roles(self, *, in_process: bool) -> dict[str, Any]:
        judge = {"command": list(self.judge_command)} if self.judge_command else {"files": [self.test_file]}
        roles: dict[str, Any] = {"judge": judge}
        if self.server_command:
            roles["server"] = {"command": list(self.server_command)}
        elif self.server_source:
            roles["server"] = {}
        if self.collect_command:
            roles["collect"] = {"command": list(self.collect_command)}
        elif in_process:
            roles["collect"] = {"files": [self.test_file]}  # the warm judge's code, in collect mode
        return roles

    def judge_files(self, *, solution: str, in_process: bool) -> dict[str, str]:
        """Files beside the tests: for JavaScript the solution itself (in-process) or the proxy client."""
        if not self.proxy_module:
            return {}
        return {self.solution_file: solution if in_process else self.proxy_module}
