"""The Python judge: runs pytest under the judge's uid, with JSON lines on REPORT_FD.

Forked warm by the harness: pytest is imported before the payload arrives, then a go line on stdin
says the mode:
  run         the tests import a proxy (pyproxy.py) and the solution runs in its own process;
              nothing crosses while the tests are collected, so the list of tests is the file's own
  collect     list the tests only (the proxy refuses every use), for in-process runs
  in-process  the tests import the real solution into this process (`# sandbox: in-process`)

In in-process mode the solution shares this process and can reach the reporter; the reporter then
checks after every test that the pieces of pytest deciding an outcome are the ones it started with,
and the verdict carries trust "in-process".
"""

import json
import os
import sys

os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
sys.path.insert(0, "/tmp/harness")

import _pytest.main
import _pytest.python
import _pytest.reports
import _pytest.runner
import pyproxy
import pytest

REPORT = globals().get("REPORT_FD", 3)
MESSAGE_CAP = 4000
DECLARING_MARKS = ("skip", "skipif", "xfail")
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


def test_name(nodeid):
    return nodeid.split("::", 1)[-1]


class Reporter:
    def __init__(self, wire):
        self.phases = {}
        self.wire = wire

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config):
        # pytest's own summary (long failure reports) is not output of the tested code: it goes
        # nowhere, so it can never flood the capped pipe (the report carries each failure).
        terminal = config.pluginmanager.getplugin("terminalreporter")
        if terminal is not None:
            from _pytest.config import create_terminal_writer

            terminal._tw = create_terminal_writer(config, open(os.devnull, "w"))  # noqa: SIM115 - for the session

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
        tests = [
            {"name": test_name(item.nodeid), "declared_skip": any(item.get_closest_marker(m) for m in DECLARING_MARKS)}
            for item in session.items
        ]
        emit(event="collected", count=len(tests), tests=tests)
        if self.wire is not None:
            self.wire.collecting = False  # from here on the tests may use the solution
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
        emit(event="test", name=test_name(nodeid), outcome=outcome, duration_ms=int(duration * 1000), message=message)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.check()
        calls = self.wire.calls if self.wire is not None else None
        emit(event="done", exitstatus=int(exitstatus), calls=calls)


def run():
    pyproxy.pywire.line_buffered()
    args = json.loads(sys.stdin.readline() or "{}")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir("/work/judge")
    sys.dont_write_bytecode = True
    mode = args.get("mode", "run")
    wire = None
    if mode == "in-process":
        sys.path.insert(0, "/work/solution")
    else:
        timeout_event = lambda: emit(event="call_timeout", message=pyproxy.NO_ANSWER)  # noqa: E731
        wire = pyproxy.install(
            args.get("ipc", "/tmp/judge/ipc"), "/work/solution/solution.py", args.get("deadline"), timeout_event
        )
    sys.path.insert(0, "/work/judge")
    # -s: output goes straight to the capped pipe as it is written.
    argv = [
        "-q", "-s", "-p", "no:cacheprovider", "-p", "no:stepwise", "--rootdir=/work/judge",
        "-o", "addopts=", "--color=no", "--tb=short", "--no-header",
    ]  # fmt: skip
    if mode == "collect":
        argv.append("--collect-only")
    code = pytest.main([*argv, *args.get("files", [])], plugins=[Reporter(wire if mode == "run" else None)])
    sys.exit(int(code))


run()
