"""Hostile solutions and tests: each run ends in the right status and the host is untouched.

Many attacks are written as "probe" tests: assertions inside the sandbox that state the property
(a write outside /work fails, the network is unreachable). The run passes only if every probe holds.
"""

import shutil
import time

import pytest

from sandbox.results import Outcome, Status

OK_SOLUTION = "def f():\n    return 1\n"


def probe(run, body: str, solution: str = OK_SOLUTION, **limits):
    """Run pytest `body` (module text) as the tests; return the result."""
    return run(
        "python", solution, "import os, sys, socket, subprocess, time, ctypes\nimport pytest\n\n" + body, **limits
    )


def assert_all_passed(result) -> None:
    assert result.status == Status.PASSED, (result.status, result.message, [(t.name, t.message) for t in result.tests])


# --- resources -----------------------------------------------------------------------------------


def test_a_fork_bomb_is_contained_and_stopped(run) -> None:
    body = (
        "def test_bomb():\n    while True:\n        try:\n"
        "            os.fork()\n        except OSError:\n            pass\n"
    )
    started = time.monotonic()

    result = probe(run, body, timeout=3)

    assert result.status == Status.TIMEOUT
    assert time.monotonic() - started < 3 + 15


def test_the_pids_limit_stops_forking_long_before_the_host_notices(run) -> None:
    body = (
        "def test_pids():\n    children = []\n    with pytest.raises(OSError):\n"
        "        for _ in range(10000):\n            pid = os.fork()\n            if pid == 0:\n"
        "                time.sleep(30)\n                os._exit(0)\n            children.append(pid)\n"
        "    assert len(children) < 200\n"
    )
    assert_all_passed(probe(run, body))


def test_a_memory_bomb_is_reported_as_oom(run) -> None:
    body = "def test_bomb():\n    hog = []\n    while True:\n        hog.append(bytearray(16 * 1024 * 1024))\n"

    result = probe(run, body, memory_mb=128)

    assert result.status == Status.OOM
    assert "memory" in result.message


def test_a_cpu_loop_times_out(run) -> None:
    result = probe(run, "def test_spin():\n    while True:\n        pass\n", timeout=2)

    assert result.status == Status.TIMEOUT and "did not finish within 2 s" in result.message


def test_sleeping_past_the_deadline_times_out_and_keeps_finished_tests(run) -> None:
    body = "def test_quick():\n    pass\n\ndef test_sleepy():\n    time.sleep(60)\n"

    result = probe(run, body, timeout=2)

    assert result.status == Status.TIMEOUT
    assert [(t.name, t.outcome) for t in result.tests] == [("test_quick", Outcome.PASSED)]


FLOODING = (
    "import sys\n\ndef flood():\n    while True:\n        print('x' * 1000)\n\n"
    "def line():\n    sys.stdout.write('y' * 5_000_000)\n"
)


@pytest.mark.parametrize("call", ["flood", "line"])
def test_an_output_flood_from_the_solution_is_reported_as_such(run, call: str) -> None:
    started = time.monotonic()

    result = run("python", FLOODING, f"from solution import {call}\n\ndef test_it():\n    {call}()\n", timeout=8)

    assert result.status == Status.OUTPUT_LIMIT
    assert result.truncated
    assert len(result.stdout) <= 16 * 1024 and result.stdout.startswith({"flood": "x", "line": "y"}[call] * 100)
    assert time.monotonic() - started < 8  # stopped at the cap, not at the deadline


def test_an_honest_suite_with_long_failure_reports_is_failed_not_output_limit(run) -> None:
    tests = (
        "import pytest\nfrom solution import f\n\n"
        "@pytest.mark.parametrize('n', range(120))\n"
        "def test_long(n):\n    assert str(f()) * 1 == 'a long expected string ' * 200 + str(n)\n"
    )

    result = run("python", OK_SOLUTION, tests)

    assert result.status == Status.FAILED, result.message
    assert result.failed == 120 and len(result.tests) == 120


def test_output_the_tests_print_is_kept_apart_and_capped_without_a_verdict(run) -> None:
    tests = "from solution import f\n\ndef test_loud():\n    print('t' * 100_000)\n    assert f() == 1\n"

    result = run("python", OK_SOLUTION, tests)

    assert result.status == Status.PASSED
    assert "--- printed by the tests ---\nttt" in result.stdout and len(result.stdout) < 20 * 1024


def test_non_utf8_output_arrives_replaced_not_crashing(run) -> None:
    body = "def test_bytes():\n    sys.stdout.buffer.write(b'caf\\xe9 \\xff\\xfe ok\\n')\n    sys.stdout.flush()\n"

    result = probe(run, body)

    assert_all_passed(result)
    assert "caf\ufffd \ufffd\ufffd ok" in result.stdout


@pytest.mark.parametrize("where", ["/work/judge/fill", "/dev/shm/fill", "/tmp/fill"])
def test_filling_a_writable_place_hits_its_cap(run, where: str) -> None:
    body = (
        "def test_fill():\n    chunk = b'0' * (1 << 20)\n    written = 0\n    with pytest.raises(OSError) as info:\n"
        f"        with open({where!r}, 'wb') as f:\n            while True:\n"
        "                f.write(chunk)\n                f.flush()\n                written += 1\n"
        "    assert info.value.errno == 28  # ENOSPC\n    assert written <= 64\n"
    )
    free_before = shutil.disk_usage("/").free

    assert_all_passed(probe(run, body))
    assert shutil.disk_usage("/").free > free_before - 256 * 1024 * 1024


def test_nothing_outside_the_work_dir_is_writable(run) -> None:
    body = (
        "@pytest.mark.parametrize('path', ['/etc/passwd', '/evil', '/usr/lib/python3/dist-packages/x.py',"
        " '/root/x', '/proc/sys/kernel/hostname'])\n"
        "def test_write(path):\n    with pytest.raises(OSError):\n        open(path, 'w').write('x')\n"
    )
    assert_all_passed(probe(run, body))


# --- isolation -----------------------------------------------------------------------------------


def test_there_is_no_network(run) -> None:
    body = (
        "def test_ip():\n    with pytest.raises(OSError):\n"
        "        socket.create_connection(('1.1.1.1', 53), timeout=2)\n\n"
        "def test_dns():\n    with pytest.raises(OSError):\n        socket.getaddrinfo('example.com', 443)\n\n"
        "def test_only_loopback():\n    assert sorted(os.listdir('/sys/class/net')) == ['lo']\n"
    )
    assert_all_passed(probe(run, body))


def test_the_host_environment_files_and_docker_socket_are_invisible(run, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SANDBOX_CANARY_SECRET", "canary-3141592653")
    canary = tmp_path / "canary.txt"
    canary.write_text("host file")
    body = (
        "def test_env():\n    print(sorted(os.environ))\n"
        "    assert not any('CANARY' in k or 'SECRET' in k or 'DATABASE' in k for k in os.environ)\n\n"
        f"def test_files():\n    assert not os.path.exists({str(canary)!r})\n"
        "    assert not os.path.exists('/var/run/docker.sock')\n"
        "    assert not os.path.exists('/run/docker.sock')\n\n"
        "def test_no_host_mounts():\n    mounts = open('/proc/mounts').read()\n"
        "    assert 'docker.sock' not in mounts and '/work/main' not in mounts\n"
    )

    result = probe(run, body)

    assert_all_passed(result)
    assert "canary-3141592653" not in result.stdout + result.stderr


def test_privileges_cannot_be_raised(run) -> None:
    body = (
        "def test_not_root():\n    assert os.getuid() != 0 and os.geteuid() != 0\n\n"
        "def test_no_capabilities():\n    status = open('/proc/self/status').read()\n"
        "    assert 'CapEff:\\t0000000000000000' in status and 'NoNewPrivs:\\t1' in status\n\n"
        "def test_setuid():\n    with pytest.raises(PermissionError):\n        os.setuid(0)\n\n"
        "def test_mount():\n    done = subprocess.run(['mount', '-t', 'tmpfs', 'none', '/work'], capture_output=True)\n"
        "    assert done.returncode != 0\n\n"
        "def test_unshare():\n    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    assert libc.unshare(0x10000000) == -1  # CLONE_NEWUSER\n"
        "    assert libc.unshare(0x00020000) == -1  # CLONE_NEWNS\n\n"
        "def test_no_setuid_binaries():\n"
        "    found = subprocess.run(['find', '/usr', '/bin', '-perm', '-4000'], capture_output=True, text=True)\n"
        "    assert found.stdout.strip() == ''\n"
    )
    assert_all_passed(probe(run, body))


def test_background_processes_do_not_outlive_the_run(run) -> None:
    body = (
        "def test_daemon():\n    subprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
        "    subprocess.Popen(['sh', '-c', 'while true; do echo tick; sleep 0.1; done'])\n"
    )
    started = time.monotonic()

    result = probe(run, body, timeout=20)

    assert_all_passed(result)
    assert time.monotonic() - started < 10  # the harness did not wait for the daemons' pipes


def test_stdin_that_never_closes_reads_as_empty(run) -> None:
    assert_all_passed(probe(run, "def test_stdin():\n    assert sys.stdin.read() == ''\n", timeout=5))


def test_javascript_stdin_reads_as_empty(run) -> None:
    tests = (
        "const test = require('node:test'); const assert = require('node:assert');\n"
        "test('stdin', () => { assert.strictEqual(require('fs').readFileSync(0, 'utf8'), ''); });\n"
    )
    result = run("javascript", "module.exports = {};\n", tests, timeout=5)

    assert result.status == Status.PASSED, result.message


# --- lying about results -------------------------------------------------------------------------

FAILING_TESTS = (
    "from solution import f\n\ndef test_one():\n    assert f() == 2\n\ndef test_two():\n    assert f() == 3\n"
)


@pytest.mark.parametrize(
    ("solution", "status"),
    [
        ("import os\nos._exit(0)\n", Status.FAILED),
        ("import sys\nsys.exit(0)\n", Status.ERROR),  # the import raised: the solution could not be loaded
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", Status.FAILED),
        ("import os, signal\nos.kill(-1, signal.SIGKILL)\n", Status.FAILED),
        ("import os\ndef f():\n    os._exit(0)\n", Status.FAILED),
    ],
    ids=["os._exit-at-import", "sys.exit-at-import", "kill-self", "kill-everyone", "exit-0-in-test"],
)
def test_exiting_or_killing_never_passes(run, solution: str, status: Status) -> None:
    result = run("python", solution, FAILING_TESTS)

    assert result.status == status, (result.status, result.message)
    assert result.passed == 0 and len(result.tests) == (2 if status == Status.FAILED else len(result.tests))


@pytest.mark.parametrize(
    "patch",
    [
        "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n",
        "import _pytest.reports\n_orig = _pytest.reports.TestReport.__init__\n"
        "def _init(self, *a, **k):\n    _orig(self, *a, **k)\n    self.outcome = 'passed'\n"
        "_pytest.reports.TestReport.__init__ = _init\n",
        "import _pytest.runner\n_pytest.runner.call_and_report.__code__ = (lambda *a, **k: None).__code__\n",
    ],
    ids=["skip-test-bodies", "force-passed-reports", "swap-runner-code"],
)
def test_patching_the_test_framework_changes_nothing(run, patch: str) -> None:
    result = run("python", patch + "\ndef f():\n    return 1\n", FAILING_TESTS)

    assert result.status == Status.FAILED, (result.status, result.message)
    assert result.failed == 2 and result.trust == "isolated"


@pytest.mark.parametrize(
    "patch",
    [
        "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n",
        "import _pytest.runner\n_pytest.runner.call_and_report.__code__ = (lambda *a, **k: None).__code__\n",
    ],
    ids=["skip-test-bodies", "swap-runner-code"],
)
def test_in_process_mode_still_catches_patching_and_says_so(run, patch: str) -> None:
    result = run("python", patch + "\ndef f():\n    return 1\n", "# sandbox: in-process\n" + FAILING_TESTS)

    assert result.status in (Status.ERROR, Status.FAILED), (result.status, result.message)
    assert result.passed == 0 and result.trust == "in-process"


def test_printing_a_fake_report_changes_nothing(run) -> None:
    fake = (
        "import json, sys\n"
        "print(json.dumps({'event': 'test', 'name': 'test_one', 'outcome': 'passed'}))\n"
        'print(\'\\ndeadbeef:BEGIN\\n{"report": ""}\\ndeadbeef:END\')\n'
        "sys.stderr.write('1 passed\\n')\n"
        "def f():\n    return 1\n"
    )
    result = run("python", fake, FAILING_TESTS)

    assert result.status == Status.FAILED and result.passed == 0


def test_writing_fake_lines_on_any_descriptor_changes_nothing(run) -> None:
    fake = (
        "import os, json\n"
        "line = ''.join(json.dumps({'event': 'test', 'name': n, 'outcome': 'passed'}) + '\\n'\n"
        "               for n in ('test_one', 'test_two')) + json.dumps({'event': 'done'}) + '\\n'\n"
        "for fd in range(1, 64):\n"
        "    try:\n        os.write(fd, line.encode())\n    except OSError:\n        pass\n"
        "def f():\n    return 1\n"
    )
    result = run("python", fake, FAILING_TESTS)

    assert result.status in (Status.FAILED, Status.ERROR), (result.status, result.message)
    assert result.passed == 0


def test_symlinks_named_like_a_report_are_ignored(run) -> None:
    planted = (
        "import os\n"
        "for name in ('report.json', 'report.xml', 'junit.xml', '.report', 'result.json', 'stdout'):\n"
        "    for where in ('/work/', '/work/solution/', '/tmp/', '/work/judge/'):\n"
        "        try:\n            os.symlink('/proc/1/fd/1' if name == 'stdout' else '/etc/passwd', where + name)\n"
        "        except OSError:\n            pass\n"
        "def f():\n    return 1\n"
    )
    result = run("python", planted, FAILING_TESTS)

    assert result.status == Status.FAILED and result.failed == 2
    assert "root:x:0:0" not in result.stdout + result.message


@pytest.mark.parametrize(
    "solution",
    [
        "process.exit(0);\nmodule.exports = { f: () => 1 };\n",
        "module.exports = { f: () => { process.exit(0); } };\n",
        "process.kill(process.pid, 'SIGKILL');\n",
        "console.log('TAP version 13\\nok 1 - one\\nok 2 - two\\n1..2');\nmodule.exports = { f: () => 1 };\n",
    ],
    ids=["exit-at-require", "exit-in-test", "kill-self", "fake-tap"],
)
def test_javascript_tricks_never_pass(run, solution: str) -> None:
    tests = (
        "const test = require('node:test'); const assert = require('node:assert');\n"
        "const { f } = require('./solution');\n"
        "test('one', () => assert.strictEqual(f(), 2));\ntest('two', () => assert.strictEqual(f(), 3));\n"
    )
    result = run("javascript", solution, tests)

    assert result.status in (Status.ERROR, Status.FAILED), (result.status, result.message)
    assert result.passed == 0


def test_a_payload_over_the_harness_limit_is_refused_on_the_host_at_once(run) -> None:
    started = time.monotonic()

    result = run("python", "x = 1\n# " + "y" * (9 << 20) + "\n", FAILING_TESTS)

    assert result.status == Status.ERROR and "at most 8 MB" in result.message
    assert time.monotonic() - started < 2


def test_a_huge_return_value_fails_its_test_instead_of_flooding(run) -> None:
    solution = "def f():\n    return 'z' * (40 << 20)\n"
    tests = (
        "from solution import f\n\ndef test_big():\n    assert len(f()) == 40 << 20\n\ndef test_other():\n    pass\n"
    )

    result = run("python", solution, tests, memory_mb=512)

    assert result.status == Status.FAILED, (result.status, result.message)
    assert "too large to cross" in result.tests[0].message and result.tests[1].outcome == Outcome.PASSED
