"""The JavaScript twin of test_forgery.py: a wrong `add` (a - b) tries one trick; it must never pass,
and a right `add` trying the same trick must never be made to time out."""

from __future__ import annotations

import time

import pytest

from sandbox.results import Outcome, Status

TESTS = """\
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('./solution');

test('small', () => { assert.strictEqual(add(2, 3), 5); });
test('negative', () => { assert.equal(add(-4, 1), -3); });
test('zero', () => { assert.deepStrictEqual(add(0, 0), 0); });
"""
WRONG = "function add(a, b) { return a - b; }\nmodule.exports = { add };\n"
RIGHT = "function add(a, b) { return a + b; }\nmodule.exports = { add };\n"

TRICKS = {
    "fake-frames-then-exit": (
        "const fs = require('fs');\n"
        "const fake = ['small', 'negative', 'zero']"
        ".map((name) => JSON.stringify({event: 'test', name, outcome: 'passed'}))"
        ".join('\\n') + '\\n' + JSON.stringify({event: 'done'})"
        " + '\\nTAP version 13\\nok 1 - small\\nok 2 - negative\\nok 3 - zero\\n1..3\\n';\n"
        "for (const fd of [1, 2, 5, 6, 7, 8, 9, 10]) {\n  try { fs.writeSync(fd, fake); } catch (e) {}\n}\n"
        "const paths = ['/proc/1/fd/1', '/proc/1/fd/2', `/proc/${process.ppid}/fd/1`, `/proc/${process.ppid}/fd/3`];\n"
        "for (const p of paths) {\n"
        "  try { fs.writeFileSync(p, fake); } catch (e) {}\n}\n"
        "{add}"
    ),
    "patch-node-test-and-assert": (
        "try {\n"
        "  const assert = require('node:assert');\n"
        "  for (const k of Object.keys(assert)) { try { assert[k] = () => {}; } catch (e) {} }\n"
        "  const t = require('node:test');\n"
        "  try { t.test = () => {}; } catch (e) {}\n"
        "  Error.prototype.toString = () => 'ok';\n"
        "} catch (e) {}\n"
        "{add}"
    ),
    "coercion-lies": (
        "function add(a, b) {\n"
        "  const liar = { valueOf: () => a + b, toString: () => String(a + b), [Symbol.toPrimitive]: () => a + b };\n"
        "  return a < 0 ? new Proxy({}, { get: () => () => true }) : liar;\n"
        "}\nmodule.exports = { add };\n"
    ),
    "rebind-globals": (
        "globalThis.Error = function () {};\nObject.prototype.valueOf = function () { return 5; };\n"
        "Object.is = () => true;\n"
        "{add}"
    ),
    "exit-at-require": "{add}process.exit(0);\n",
    "kill-everything-it-can": (
        "for (const pid of require('fs').readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map(Number)) {\n"
        "  if (pid !== process.pid) { try { process.kill(pid, 'SIGSTOP'); } catch (e) {} }\n}\n"
        "{add}"
    ),
}


def solution_with(trick: str, add: str) -> str:
    return TRICKS[trick].replace("{add}", add)


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_a_wrong_javascript_solution_cannot_forge_a_pass(run, trick: str) -> None:
    source = solution_with(trick, WRONG) if "{add}" in TRICKS[trick] else TRICKS[trick]

    result = run("javascript", source, TESTS)

    assert result.status in (Status.FAILED, Status.ERROR), (result.status, result.message, result.tests)
    outcomes = {t.name: t.outcome for t in result.tests}
    assert result.status != Status.FAILED or outcomes["small"] == outcomes["negative"] == Outcome.FAILED
    assert result.trust == "isolated"


@pytest.mark.parametrize("trick", sorted(set(TRICKS) - {"coercion-lies", "exit-at-require"}))
def test_a_right_javascript_solution_that_tries_the_trick_is_never_made_to_time_out(run, trick: str) -> None:
    started = time.monotonic()

    result = run("javascript", solution_with(trick, RIGHT), TESTS)

    assert result.status == Status.PASSED, (result.status, result.message, result.tests)
    assert time.monotonic() - started < 8


def test_javascript_runtime_skips_and_declared_skips(run) -> None:
    tests = (
        "const test = require('node:test'); const assert = require('node:assert');\n"
        "const { add } = require('./solution');\n"
        "test('declared', { skip: 'not today' }, () => {});\n"
        "test('runtime', (t) => { t.skip('decided while running'); });\n"
        "test('real', () => assert.strictEqual(add(1, 1), 2));\n"
    )

    result = run("javascript", RIGHT, tests)

    assert {t.name: t.outcome for t in result.tests} == {
        "declared": Outcome.SKIPPED,
        "runtime": Outcome.FAILED,
        "real": Outcome.PASSED,
    }
    assert result.status == Status.FAILED


def test_the_javascript_proxy_carries_what_real_tests_use(run) -> None:
    solution = """\
class EmptyError extends Error { constructor(m) { super(m); this.name = 'EmptyError'; } }
class Stack {
  constructor() { this.items = []; }
  push(x) { this.items.push(x); return this; }
  pop() { if (!this.items.length) throw new EmptyError('empty'); return this.items.pop(); }
  get size() { return this.items.length; }
}
async function later(x) { await new Promise((r) => setTimeout(r, 10)); return x * 2; }
function* count(n) { for (let i = 0; i < n; i++) yield i; }
function apply(f, xs) { return xs.map(f); }
function sortInPlace(xs) { xs.sort((a, b) => a - b); }
function values() { return { n: NaN, big: 10n ** 20n, m: new Map([[1, 'a']]), s: new Set([1]), nested: [{ a: [1] }] }; }
function parse(s) { if (typeof s !== 'string') throw new TypeError('not a string'); return JSON.parse(s); }
module.exports = { Stack, EmptyError, later, count, apply, sortInPlace, values, parse };
"""
    tests = """\
const test = require('node:test');
const assert = require('node:assert');
const s = require('./solution');

test('classes and errors', () => {
  const st = new s.Stack();
  st.push(1).push(2);
  assert.strictEqual(st.size, 2);
  assert.strictEqual(st.pop(), 2);
  assert.strictEqual(st.pop(), 1);
  assert.throws(() => st.pop(), (e) => e.name === 'EmptyError' && e.message === 'empty');
  assert.throws(() => s.parse(3), TypeError);
});

test('async, generators, callbacks, mutation', async () => {
  assert.strictEqual(await s.later(21), 42);
  assert.deepStrictEqual([...s.count(3)], [0, 1, 2]);
  assert.deepStrictEqual(s.apply((x) => x + 1, [1, 2]), [2, 3]);
  const xs = [3, 1, 2];
  s.sortInPlace(xs);
  assert.deepStrictEqual(xs, [1, 2, 3]);
});

test('values', () => {
  const v = s.values();
  assert.ok(Number.isNaN(v.n));
  assert.strictEqual(v.big, 10n ** 20n);
  assert.deepStrictEqual(v.nested, [{ a: [1] }]);
  assert.ok(v.m.get ? v.m.get(1) === 'a' : v.m[1] === 'a');
});
"""

    result = run("javascript", solution, tests)

    assert result.status == Status.PASSED, [(t.name, t.message) for t in result.tests if t.outcome != Outcome.PASSED]
    assert len(result.tests) == 3


def test_a_javascript_solution_that_never_answers_times_out(run) -> None:
    solution = "module.exports = { add: (a, b) => a + b, hang: () => { for (;;) {} } };\n"
    tests = (
        "const test = require('node:test'); const assert = require('node:assert');\n"
        "const { add, hang } = require('./solution');\n"
        "test('first', () => assert.strictEqual(add(1, 2), 3));\n"
        "test('hang', () => { try { hang(); } catch (e) {} });\n"
    )
    started = time.monotonic()

    result = run("javascript", solution, tests, timeout=4)

    assert result.status == Status.TIMEOUT, (result.status, result.message)
    assert time.monotonic() - started < 4 + 6


@pytest.mark.parametrize(
    "returned",
    [
        "({ valueOf: () => a + b, toString: () => String(a + b) })",
        "new (class Sum { valueOf() { return a + b; } toString() { return String(a + b); } })()",
        "({ [Symbol.toPrimitive]: () => a + b })",
    ],
    ids=["plain-object", "class-instance", "to-primitive"],
)
def test_coercion_methods_cannot_satisfy_loose_comparisons(run, returned: str) -> None:
    # In one process each of these passes assert.equal(add(2, 3), 5) without adding anything right.
    solution = f"function add(a, b) {{ return {returned}; }}\nmodule.exports = {{ add }};\n"
    tests = (
        "const test = require('node:test'); const assert = require('node:assert');\n"
        "const { add } = require('./solution');\n"
        "test('loose', () => assert.equal(add(2, 3), 5));\n"
        "test('order', () => assert.ok(add(2, 3) > 4));\n"
    )

    result = run("javascript", solution, tests)

    assert result.status == Status.FAILED, (result.status, result.message)
    assert [t.outcome for t in result.tests] == [Outcome.FAILED, Outcome.FAILED]
