"""A wrong solution that tries to forge its verdict, written as a model that has read our harness would.

Every solution here computes `add` wrongly (a - b) and then tries one trick to make the tests pass.
Each must end `failed` (or `error`), never `passed`; the honest twin of each trick (a right `add`
that tries the same trick and catches what fails) must still pass, never time out.
"""

from __future__ import annotations

import threading
import time

import pytest

from sandbox.results import Outcome, Status

TESTS = """\
from solution import add


def test_small():
    assert add(2, 3) == 5


def test_negative():
    assert add(-4, 1) == -3


def test_zero():
    assert add(0, 0) == 0
"""
WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return a + b\n"

# Each trick is module-level code of the solution; `{add}` is where the add function goes.
TRICKS = {
    "fake-frames-then-exit": (
        "import os, json\n"
        "frames = ''.join(json.dumps({'event': 'test', 'name': n, 'outcome': 'passed', 'duration_ms': 1}) + '\\n'\n"
        "                 for n in ('test_small', 'test_negative', 'test_zero'))\n"
        "frames += json.dumps({'event': 'done', 'exitstatus': 0}) + '\\n'\n"
        "for fd in list(range(0, 40)) + [int(x) for x in os.listdir('/proc/self/fd') if x.isdigit()]:\n"
        "    try:\n        os.write(fd, frames.encode())\n    except OSError:\n        pass\n"
        "{add}"
    ),
    "patch-pytest-internals": (
        "try:\n"
        "    import _pytest.python, _pytest.runner, _pytest.reports, pytest\n"
        "    _pytest.python.Function.runtest = lambda self: None\n"
        "    _pytest.runner.pytest_runtest_makereport.__code__ = (lambda item, call: None).__code__\n"
        "    _pytest.reports.BaseReport.passed = property(lambda self: True)\n"
        "    pytest.raises = lambda *a, **k: __import__('contextlib').nullcontext()\n"
        "except Exception:\n    pass\n"
        "{add}"
    ),
    "hollow-test-bodies-with-a-tracer": (
        "import sys, threading\n"
        "def _tracer(frame, event, arg):\n"
        "    if frame.f_code.co_name.startswith('test_'):\n"
        "        frame.f_trace_lines = False\n        return None\n"
        "    return _tracer\n"
        "sys.settrace(_tracer)\nthreading.settrace(_tracer)\nsys.setprofile(lambda *a: None)\n"
        "{add}"
    ),
    "delete-tests-and-rows": (
        "import gc, os\n"
        "for obj in gc.get_objects():\n"
        "    if isinstance(obj, list) and obj and type(obj[0]).__name__ == 'Function':\n        obj.clear()\n"
        "for path in ('/work/judge/test_solution.py', '/work/test_solution.py'):\n"
        "    try:\n        os.remove(path)\n    except OSError:\n        pass\n"
        "    try:\n        open(path, 'w').write('def test_ok():\\n    pass\\n')\n    except OSError:\n        pass\n"
        "{add}"
    ),
    "rebind-builtins": (
        "import builtins\n"
        "builtins.AssertionError = type('AssertionError', (BaseException,), {})\n"
        "builtins.__build_class__ = builtins.__build_class__\n"
        "{add}"
    ),
    "eq-always-true": (
        "class Anything(int):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__\n"
        "class Whatever:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n"
        "def add(a, b):\n    return Whatever() if a < 0 else Anything(a - b)\n"
    ),
    "reach-the-runner-through-proc": (
        "import os, glob\n"
        "for path in ['/proc/%d/fd/%d' % (os.getppid(), fd) for fd in range(10)] + glob.glob('/proc/[0-9]*/fd/*'):\n"
        "    try:\n"
        "        with open(path, 'w') as f:\n            f.write('{\"event\": \"done\"}\\n')\n"
        "    except OSError:\n        pass\n"
        "for pid in [1, os.getppid()] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    try:\n        open('/proc/%d/mem' % pid, 'r+b')\n    except OSError:\n        pass\n"
        "{add}"
    ),
    "write-to-proc-1-fd-1-and-2": (
        "import os\n"
        "for fd in (1, 2):\n"
        "    try:\n"
        "        with open('/proc/1/fd/%d' % fd, 'w') as f:\n"
        '            f.write(\'\\n0123:BEGIN\\n{"report": ""}\\n0123:END\\n\')\n'
        "    except OSError:\n        pass\n"
        "{add}"
    ),
    "ptrace-pid-1-and-the-judge": (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "for pid in [1, os.getppid()] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    libc.ptrace(16, pid, 0, 0)  # PTRACE_ATTACH\n"
        "    libc.ptrace(0x4206, pid, 0, 0)  # PTRACE_SEIZE\n"
        "{add}"
    ),
    "kill-everything-it-can": (
        "import os, signal\n"
        "for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    if pid != os.getpid():\n"
        "        try:\n            os.kill(pid, signal.SIGSTOP)\n        except OSError:\n            pass\n"
        "{add}"
    ),
}


def solution_with(trick: str, add: str) -> str:
    return TRICKS[trick].replace("{add}", add) if "{add}" in TRICKS[trick] else TRICKS[trick]


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_a_wrong_solution_cannot_forge_a_pass(run, trick: str) -> None:
    result = run("python", solution_with(trick, WRONG), TESTS)

    assert result.status in (Status.FAILED, Status.ERROR), (result.status, result.message, result.tests)
    outcomes = {t.name: t.outcome for t in result.tests}
    assert result.status != Status.FAILED or outcomes["test_small"] == outcomes["test_negative"] == Outcome.FAILED
    assert result.trust == "isolated"


@pytest.mark.parametrize("trick", sorted(set(TRICKS) - {"eq-always-true"}))
def test_a_right_solution_that_tries_the_trick_is_never_made_to_time_out(run, trick: str) -> None:
    started = time.monotonic()

    result = run("python", solution_with(trick, RIGHT), TESTS)

    if trick == "fake-frames-then-exit":  # it scribbled on its own channel to the judge: its loss, quickly
        assert result.status == Status.FAILED and "solution process ended" in result.tests[0].message
    else:
        assert result.status == Status.PASSED, (result.status, result.message, result.tests)
    assert time.monotonic() - started < 8


@pytest.mark.parametrize(
    "body",
    [
        "    import pytest\n    pytest.skip('not today')\n",
        "    import pytest\n    pytest.xfail('known')\n",
        "    raise __import__('unittest').SkipTest('no')\n",
        "    raise SystemExit(0)\n",
        "    raise KeyboardInterrupt\n",
    ],
    ids=["pytest.skip", "pytest.xfail", "unittest.SkipTest", "SystemExit", "KeyboardInterrupt"],
)
def test_skips_and_exits_raised_by_the_solution_fail_the_test(run, body: str) -> None:
    result = run("python", "def add(a, b):\n" + body, TESTS)

    assert result.status == Status.FAILED, (result.status, result.message)
    assert [t.outcome for t in result.tests] == [Outcome.FAILED] * 3


def test_an_object_cannot_pass_for_the_right_number(run) -> None:
    # In one process each of these passes: approx computes `5 - actual` (the object's __rsub__).
    solution = (
        "class Number:\n"
        "    def __rsub__(self, other):\n        return 0\n"
        "    def __float__(self):\n        return 5.0\n"
        "    def __eq__(self, other):\n        return True\n"
        "def add(a, b):\n    return Number()\n"
    )
    tests = (
        "import math\nimport pytest\nfrom solution import add\n\n"
        "def test_approx():\n    assert add(2, 3) == pytest.approx(5)\n\n"
        "def test_isclose():\n    assert math.isclose(add(2, 3), 5)\n\n"
        "def test_float():\n    assert float(add(2, 3)) == 5.0\n"
    )

    result = run("python", solution, tests)

    assert result.status == Status.FAILED, (result.status, result.message)
    assert [t.outcome for t in result.tests] == [Outcome.FAILED] * 3


def test_a_skip_the_test_file_did_not_declare_is_a_failure(run) -> None:
    tests = (
        "import pytest\nfrom solution import add\n\n"
        "@pytest.mark.skip(reason='declared')\ndef test_declared():\n    pass\n\n"
        "def test_runtime_skip():\n    pytest.skip('decided while running')\n\n"
        "def test_real():\n    assert add(1, 1) == 2\n"
    )

    result = run("python", RIGHT, tests)

    assert result.status == Status.FAILED
    outcomes = {t.name: t.outcome for t in result.tests}
    assert outcomes == {
        "test_declared": Outcome.SKIPPED,
        "test_runtime_skip": Outcome.FAILED,
        "test_real": Outcome.PASSED,
    }
    assert "does not declare this skip" in result.tests[1].message


def test_a_run_where_every_test_is_skipped_is_not_passed(run) -> None:
    tests = "import pytest\n\n@pytest.mark.skip\ndef test_one():\n    pass\n\n"
    tests += "@pytest.mark.skip\ndef test_two():\n    pass\n"

    result = run("python", RIGHT, tests)

    assert result.status == Status.ERROR and "every test was skipped" in result.message


def test_stop_iteration_from_the_solution_cannot_end_a_loop_early(run) -> None:
    # In one process, StopIteration raised inside map() ends it silently: all([]) is True.
    solution = "def is_even(n):\n    raise StopIteration\n"
    tests = "from solution import is_even\n\ndef test_all():\n    assert all(map(is_even, [1, 2, 3]))\n"

    result = run("python", solution, tests)

    assert result.status == Status.FAILED
    assert "StopIteration" in result.tests[0].message


def test_the_solution_cannot_choose_the_parameter_rows(run) -> None:
    solution = "def cases():\n    return []\n\ndef add(a, b):\n    return a - b\n"
    tests = (
        "import pytest\nfrom solution import add, cases\n\n"
        "@pytest.mark.parametrize('a', cases())\ndef test_rows(a):\n    assert add(a, a) == 2 * a\n"
    )

    result = run("python", solution, tests)

    assert result.status == Status.ERROR
    assert "cannot be used while the tests are being collected" in result.message


def test_a_call_that_never_returns_times_out_and_keeps_the_finished_tests(run) -> None:
    solution = "def add(a, b):\n    return a + b\n\ndef hang():\n    while True:\n        pass\n"
    tests = (
        "from solution import add, hang\n\ndef test_first():\n    assert add(1, 2) == 3\n\n"
        "def test_hang():\n    try:\n        hang()\n    except Exception:\n        pass\n"
    )
    started = time.monotonic()

    result = run("python", solution, tests, timeout=3)

    assert result.status == Status.TIMEOUT, (result.status, result.message)
    assert time.monotonic() - started < 3 + 6
    assert ("test_first", Outcome.PASSED) in [(t.name, t.outcome) for t in result.tests]


def test_the_proxy_carries_what_real_tests_use(run) -> None:
    solution = """\
import collections

class EmptyError(ValueError):
    pass

Point = collections.namedtuple("Point", "x y")

class Stack:
    def __init__(self, items=()):
        self.items = list(items)
    def push(self, x):
        self.items.append(x)
    def pop(self):
        if not self.items:
            raise EmptyError("empty stack")
        return self.items.pop()
    def __len__(self):
        return len(self.items)
    def __iter__(self):
        return iter(self.items)

def median(xs):
    if not xs:
        raise EmptyError("no values")
    s = sorted(xs)
    return s[len(s) // 2]

def countdown(n):
    while n:
        yield n
        n -= 1

def apply(f, xs):
    return [f(x) for x in xs]

def sort_in_place(xs):
    xs.sort()

def lookup(d, k):
    return d[k]

def values():
    return {"nan": float("nan"), "inf": float("-inf"), "big": 2**80, "b": b"\\x00\\xff", "c": 1 + 2j,
            "t": (1, [2, {3}]), "f": frozenset({1}), "none": None, "point": Point(1, 2)}

async def fetch(x):
    return x * 2

def merge(a, b):
    assert isinstance(a, Stack) and isinstance(b, Stack), (type(a), type(b))
    a.items = a.items[:1] + b.items
    return a
"""
    tests = """\
import asyncio, math
import pytest
import solution
from solution import *

def test_exceptions():
    with pytest.raises(EmptyError):
        median([])
    with pytest.raises(ValueError, match="no values"):
        median([])
    with pytest.raises(KeyError):
        lookup({}, "missing")

def test_objects():
    s = Stack([1])
    s.push(2)
    assert len(s) == 2 and list(s) == [1, 2] and s.items == [1, 2]
    assert s.pop() == 2
    assert s == s and s != Stack()
    with pytest.raises(TypeError):
        s < s

def test_generators_callbacks_and_mutation():
    assert list(countdown(3)) == [3, 2, 1]
    assert apply(lambda x: x + 1, [1, 2]) == [2, 3]
    xs = [3, 1, 2]
    sort_in_place(xs)
    assert xs == [1, 2, 3]

def test_values():
    v = values()
    assert math.isnan(v["nan"]) and v["inf"] == -math.inf and v["big"] == 2**80
    assert v["b"] == b"\\x00\\xff" and v["c"] == 1 + 2j and v["t"] == (1, [2, {3}]) and v["f"] == frozenset({1})
    assert v["none"] is None and v["point"] == (1, 2) and v["point"].y == 2
    assert type(v["t"]) is tuple and type(v["big"]) is int

def test_objects_go_back_to_the_solution_as_themselves():
    a, b = Stack([1]), Stack([2, 3])
    assert merge(a, b).items == [1, 2, 3] and merge(a, b) == a

def test_async_and_module_attributes():
    assert asyncio.run(fetch(21)) == 42
    assert solution.median([3, 1, 2]) == 2
"""

    result = run("python", solution, tests)

    assert result.status == Status.PASSED, [(t.name, t.message) for t in result.tests if t.outcome != Outcome.PASSED]
    assert len(result.tests) == 6


def test_spinning_runs_beside_an_honest_one_do_not_make_it_time_out(run) -> None:
    spinner = (
        "import os, threading\n"
        "def burn():\n    while True:\n        pass\n"
        "for _ in range(8):\n    threading.Thread(target=burn, daemon=True).start()\n"
        "def add(a, b):\n    while True:\n        pass\n"
    )
    results: dict[str, object] = {}

    def go(name: str, solution: str, timeout: float) -> None:
        results[name] = run("python", solution, TESTS, timeout=timeout)

    threads = [threading.Thread(target=go, args=(f"spin-{i}", spinner, 4)) for i in range(3)]
    threads.append(threading.Thread(target=go, args=("honest", RIGHT, 6)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results["honest"].status == Status.PASSED, results["honest"].message  # type: ignore[attr-defined]
    assert all(results[f"spin-{i}"].status == Status.TIMEOUT for i in range(3))  # type: ignore[attr-defined]
