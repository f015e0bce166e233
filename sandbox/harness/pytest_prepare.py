"""Runs in the warm Python child inside the sandbox: imports pytest before the payload arrives, waits
for the go line on stdin, then runs the tests with a reporter that writes JSON lines to REPORT_FD.

The reporter is registered before the solution is imported, and checks after every test that the
pieces of pytest deciding an outcome are still the ones it started with: a solution that patches the
framework gets the run marked "error", never "passed". The harness also compares the number of
tests collected with the number reported, so a process that dies or exits early cannot pass.
"""

import json
import os
import sys

os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"

import _pytest.main
import _pytest.python
import _pytest.reports
import _pytest.runner
import pytest

REPORT = globals().get("REPORT_FD", 3)
MESSAGE_CAP = 4000
_write = os.write
_dumps = json.dumps
_getattr = getattr
GUARDED = [
    (_pytest.runner, "runtestprotocol"),
    (_pytest.runner, "call_and_report"),
    (_pytest.runner, "call_runtest_hook"),
    (_pytest.runner, "pytest_runtest_makereport"),
    (_pytest.runner, "pytest_runtest_call"),
    (_pytest.runner.CallInfo, "from_call"),
    (_pytest.reports.TestReport, "from_item_and_call"),
    (_pytest.reports.TestReport, "__init__"),
    (_pytest.reports.BaseReport, "passed"),
    (_pytest.reports.BaseReport, "failed"),
    (_pytest.python.Function, "runtest"),
    (_pytest.python, "pytest_pyfunc_call"),
    (_pytest.main, "pytest_runtestloop"),
    (os, "write"),
    (json, "dumps"),
]
SNAPSHOT = [
    (owner, name, owner.__dict__[name] if name in _getattr(owner, "__dict__", {}) else _getattr(owner, name))
    for owner, name in GUARDED
]


def emit(**event):
    data = (_dumps(event) + "\n").encode()
    while data:
        data = data[_write(REPORT, data) :]


def tampered():
    changed = []
    for owner, name, original in SNAPSHOT:
        current = owner.__dict__.get(name) if name in _getattr(owner, "__dict__", {}) else _getattr(owner, name, None)
        if current is not original:
            changed.append(_getattr(owner, "__name__", "?") + "." + name)
    return changed


class Reporter:
    def __init__(self):
        self.phases = {}

    def check(self):
        changed = tampered()
        if changed:
            emit(event="tampered", what=changed)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report):
        if report.failed:
            emit(event="error", message=str(report.longreprtext)[:MESSAGE_CAP])

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_finish(self, session):
        emit(event="collected", count=len(session.items))
        self.check()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        phases = self.phases.setdefault(report.nodeid, {})
        phases[report.when] = report
        if report.when == "teardown":
            self.finish(report.nodeid, phases)
        self.check()

    def finish(self, nodeid, phases):
        setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
        if (setup is not None and setup.failed) or (teardown is not None and teardown.failed):
            outcome, culprit = "error", setup if setup is not None and setup.failed else teardown
        elif call is not None and call.failed:
            outcome, culprit = "failed", call
        elif call is None or call.skipped or (setup is not None and setup.skipped):
            outcome, culprit = "skipped", call or setup
        else:
            outcome, culprit = "passed", None
        duration = sum(r.duration for r in phases.values())
        message = "" if culprit is None else str(culprit.longreprtext)[:MESSAGE_CAP]
        emit(
            event="test",
            name=nodeid.split("::", 1)[-1],
            outcome=outcome,
            duration_ms=int(duration * 1000),
            message=message,
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.check()
        emit(event="done", exitstatus=int(exitstatus))


def run():
    args = json.loads(sys.stdin.readline() or "{}")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir("/work")
    sys.path.insert(0, "/work")
    sys.dont_write_bytecode = True
    # -s: output goes straight to the capped pipe as it is written, raw bytes and all, so a flood
    # is cut off there instead of piling up in pytest's capture buffers.
    argv = [
        "-q",
        "-s",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:stepwise",
        "--rootdir=/work",
        "-o",
        "addopts=",
        "--color=no",
        "--tb=short",
        "--no-header",
        *args.get("files", []),
    ]
    sys.exit(int(pytest.main(argv, plugins=[Reporter()])))


run()
