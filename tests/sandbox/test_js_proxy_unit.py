"""The JavaScript judge/solution split without Docker: js_server.js and js_proxy.js wired through real
FIFOs on the host's node, and the collection step (node_collect.js).

Each test writes a solution and a judge script, starts the server as the supervisor does (fds 3 and 4
on the two FIFOs, opened read-write before it starts), runs the script with the proxy as its
`./solution`, and checks what the script printed: one JSON object, compared exactly.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "sandbox" / "harness"
LOAD_FAILED = "the solution could not be loaded:"
NOT_DURING_COLLECTION = "the solution cannot be used while the tests are being collected: use it inside a test"
NO_ANSWER = "the solution did not answer within the time limit"
TIMEOUT_MARKER = "@@sandbox:call_timeout@@"
# What the sandbox writes beside the tests as ./solution.js (sandbox/languages/javascript.py)
PROXY_STUB = f"module.exports = require({json.dumps(str(HARNESS / 'js_proxy.js'))});\n"

# The judge script runs inside an async function; `out` is printed as JSON at its end, and
# `caught(fn)` says what calling fn threw: {"type", "message"} (or "did not throw").
PRELUDE = """\
const assert = require('node:assert');
const util = require('node:util');
const solution = require('./solution');
const out = {};
function caught(fn) {
  try { fn(); return 'did not throw'; }
  catch (e) { return e instanceof Error ? { type: e.constructor.name, message: e.message } : { value: String(e) }; }
}
(async () => {
"""
POSTLUDE = """
})().then(
  () => console.log(JSON.stringify(out)),
  (e) => { console.log(JSON.stringify({ crashed: String(e && e.stack || e) })); process.exitCode = 1; },
);
"""


@pytest.fixture(scope="module", autouse=True)
def _no_container_left_behind() -> None:
    """Replaces the directory's fixture of that name: these tests start no containers."""


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        from tests.conftest import need_real

        need_real("node", "no `node` on PATH")
    assert path is not None
    return path


@dataclass
class Run:
    judge: subprocess.CompletedProcess[str]
    server_out: str
    server_err: str
    seconds: float

    @property
    def out(self) -> dict[str, Any]:
        lines = self.judge.stdout.strip().splitlines()
        assert lines, f"the judge printed nothing; stderr:\n{self.judge.stderr}\nserver stderr:\n{self.server_err}"
        result: dict[str, Any] = json.loads(lines[-1])
        assert "crashed" not in result, result["crashed"]
        return result


class Rig:
    """A solution server and a judge script, as the supervisor lays them out (PROTOCOL.md)."""

    def __init__(self, root: Path, node: str) -> None:
        self.root, self.node = root, node
        self.ipc = root / "ipc"
        self.solution_dir = root / "solution"
        self.judge_dir = root / "judge"
        for folder in (self.ipc, self.solution_dir, self.judge_dir):
            folder.mkdir()
        (self.judge_dir / "solution.js").write_text(PROXY_STUB)

    def start_server(self, solution: str) -> subprocess.Popen[bytes]:
        (self.solution_dir / "solution.js").write_text(solution)
        ends = []
        for name in ("call", "answer"):
            os.mkfifo(self.ipc / name, 0o600)
            # Read-write like the supervisor's: the server holds both ends, so the judge's opens never block.
            # Moved above 10, so the child's dup2 onto 3 and 4 cannot overwrite one with the other.
            fd = os.open(self.ipc / name, os.O_RDWR)
            ends.append(fcntl.fcntl(fd, fcntl.F_DUPFD, 10))
            os.close(fd)
        call, answer = ends

        def wire() -> None:  # in the child, before exec
            os.dup2(call, 3)
            os.dup2(answer, 4)

        try:
            return subprocess.Popen(
                [self.node, str(HARNESS / "js_server.js"), str(self.solution_dir / "solution.js")],
                cwd=self.solution_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(3, 4),
                preexec_fn=wire,
            )
        finally:
            os.close(call)
            os.close(answer)

    def env(self, mode: str, deadline: float | None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SANDBOX_IPC": str(self.ipc),
            "SANDBOX_PROXY_MODE": mode,
        }
        if deadline is not None:
            env["SANDBOX_DEADLINE"] = "%.3f" % (time.time() + deadline)
        return env

    def run(
        self,
        solution: str | None,
        script: str,
        *,
        mode: str = "run",
        deadline: float | None = None,
        timeout: float = 30,
    ) -> Run:
        server = self.start_server(solution) if solution is not None else None
        (self.judge_dir / "judge.js").write_text(PRELUDE + script + POSTLUDE)
        started = time.monotonic()
        try:
            judge = subprocess.run(
                [self.node, "judge.js"],
                cwd=self.judge_dir,
                env=self.env(mode, deadline),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        finally:
            seconds = time.monotonic() - started
            out = err = b""
            if server is not None:
                server.kill()  # it holds both FIFOs read-write, so it never sees the end of `call`
                out, err = server.communicate()
        return Run(judge, out.decode(), err.decode(), seconds)


@pytest.fixture
def rig(tmp_path: Path, node: str) -> Rig:
    return Rig(tmp_path, node)


def with_fd3(node: str, args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 60) -> tuple[str, str]:
    """Run node with a pipe as fd 3 (the report pipe); returns (what fd 3 got, stderr)."""
    read, write = os.pipe()
    high = fcntl.fcntl(write, fcntl.F_DUPFD, 10)
    os.close(write)

    def wire() -> None:
        os.dup2(high, 3)

    proc = subprocess.Popen(
        [node, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(3,),
        preexec_fn=wire,
    )
    os.close(high)
    with os.fdopen(read, "rb") as report:
        data = report.read()
    _, err = proc.communicate(timeout=timeout)
    return data.decode(), err.decode()


# --- values ----------------------------------------------------------------------------------------


def test_identity_crosses_with_same_and_back(rig: Rig) -> None:
    solution = """
exports.uniqueValues = (values) => Array.from(new Set(values));
exports.pair = (x) => [x, x];
exports.grow = (xs) => { xs.push(3); return xs; };
"""
    script = """
const a = { x: 1 };
const b = { x: 1 };
const result = solution.uniqueValues([a, b, a]);
out.unique = result.length === 2 && result[0] === a && result[1] === b;
const p = solution.pair([1]);
out.pair = p[0] === p[1] && Array.isArray(p[0]);
const xs = [1, 2];
const grown = solution.grow(xs);
out.grow = grown === xs && xs.length === 3;
"""
    assert rig.run(solution, script).out == {"unique": True, "pair": True, "grow": True}


def test_plain_values_of_every_tag_round_trip(rig: Rig) -> None:
    solution = """
exports.echo = (x) => x;
exports.made = () => ({
  nan: NaN, negZero: -0, inf: -Infinity, big: 12345678901234567890n, map: new Map([[1, 'a'], ['k', [2]]]),
  set: new Set([1, 'x']), buf: Buffer.from('hi'), undef: undefined, nil: null, date: new Date(86400000),
  floats: new Float64Array([0.5]), nested: { a: [{ b: [1, [2, [3]]] }] }, text: 'é\\u0000"', proto: 'plain',
});
"""
    script = """
const value = {
  nan: NaN, negZero: -0, inf: -Infinity, big: 12345678901234567890n, map: new Map([[1, 'a'], ['k', [2]]]),
  set: new Set([1, 'x']), buf: Buffer.from('hi'), undef: undefined, nil: null, date: new Date(86400000),
  floats: new Float64Array([0.5]), nested: { a: [{ b: [1, [2, [3]]] }] }, text: 'é\\u0000"', proto: 'plain',
};
const back = solution.echo(value);
assert.deepStrictEqual(back, value);
assert.deepStrictEqual(solution.made(), value);
out.same = util.isDeepStrictEqual(back, value) && back === value; // the test's own object comes back
out.nan = Number.isNaN(back.nan);
out.negZero = Object.is(back.negZero, -0);
out.big = typeof back.big === 'bigint' && back.big === 12345678901234567890n;
out.map = back.map instanceof Map && back.map.get(1) === 'a';
out.set = back.set instanceof Set && back.set.has('x');
out.buf = Buffer.isBuffer(back.buf) && back.buf.toString() === 'hi';
out.undef = 'undef' in back && back.undef === undefined;
out.date = back.date instanceof Date && back.date.getTime() === 86400000;
out.protoKey = Object.getPrototypeOf(solution.echo(JSON.parse('{"__proto__": {"polluted": 1}}'))) === Object.prototype;
out.polluted = ({}).polluted === undefined;
out.scalars = [solution.echo(0), solution.echo(-1.5), solution.echo(''), solution.echo(true), solution.echo(null)];
out.undefinedAlone = solution.echo(undefined) === undefined;
"""
    assert rig.run(solution, script).out == {
        "same": True,
        "nan": True,
        "negZero": True,
        "big": True,
        "map": True,
        "set": True,
        "buf": True,
        "undef": True,
        "date": True,
        "protoKey": True,
        "polluted": True,
        "scalars": [0, -1.5, "", True, None],
        "undefinedAlone": True,
    }


def test_a_wrong_answer_with_its_own_comparison_methods_cannot_pass(rig: Rig) -> None:
    solution = """
exports.add = (a, b) => ({
  valueOf() { return a + b; }, toString() { return String(a + b); }, equals() { return true; },
  [Symbol.toPrimitive]() { return a + b; },
});
exports.right = (a, b) => a + b;
"""
    script = """
out.strict = caught(() => assert.strictEqual(solution.add(1, 2), 3)).type;
out.deep = caught(() => assert.deepStrictEqual(solution.add(1, 2), 3)).type;
out.deepObject = caught(() => assert.deepStrictEqual(solution.add(1, 2), { valueOf: 1 })).type;
out.typeof = typeof solution.add(1, 2);
out.right = caught(() => assert.strictEqual(solution.right(1, 2), 3));
"""
    assert rig.run(solution, script).out == {
        "strict": "AssertionError",
        "deep": "AssertionError",
        "deepObject": "AssertionError",
        "typeof": "object",
        "right": "did not throw",
    }


def test_a_right_solution_that_rebinds_built_ins_still_gets_its_answers_across(rig: Rig) -> None:
    solution = """
class Box { constructor(v) { this.v = v; } get() { return this.v; } }
exports.add = (a, b) => a + b;
exports.values = () => ({ zero: 0, list: [1, 2], map: new Map([[1, 2]]), date: new Date(0) });
exports.Box = Box;
exports.later = async (x) => x;
exports.fail = () => { throw new TypeError('typed'); };
exports.call = (f) => f(2);
Object.is = () => true;
Object.keys = () => [];
Object.getPrototypeOf = () => null;
globalThis.Error = function () {};
JSON.stringify = () => '"forged"';
Map.prototype.get = () => 'forged';
Map.prototype.set = function () { return this; };
Promise.prototype.then = function () { return this; };
Function.prototype.call = () => 'forged';
Reflect.apply = () => 'forged';
Array.isArray = () => false;
"""
    script = """
out.add = solution.add(2, 3);
out.values = solution.values();
out.mapBack = solution.values().map instanceof Map;
out.box = new solution.Box(7).get();
out.later = await solution.later(4);
out.fail = caught(() => solution.fail());
out.call = solution.call((x) => x * 10);
"""
    out = rig.run(solution, script).out
    assert out == {
        "add": 5,
        "values": {"zero": 0, "list": [1, 2], "map": {}, "date": "1970-01-01T00:00:00.000Z"},
        "mapBack": True,
        "box": 7,
        "later": 4,
        "fail": {"type": "TypeError", "message": "typed"},
        "call": 20,
    }


# --- objects ---------------------------------------------------------------------------------------


def test_classes_keep_their_state_and_methods_in_the_solution(rig: Rig) -> None:
    solution = """
class Stack {
  constructor(...items) { this.items = items; }
  push(x) { this.items.push(x); return this; }
  pop() { return this.items.pop(); }
  get size() { return this.items.length; }
  set top(x) { this.items[this.items.length - 1] = x; }
  static of(...xs) { return new Stack(...xs); }
  *[Symbol.iterator]() { yield* this.items; }
}
class Node { constructor(value, next = null) { this.value = value; this.next = next; } }
exports.Stack = Stack;
exports.Node = Node;
exports.total = (node) => { let sum = 0; for (; node; node = node.next) sum += node.value; return sum; };
exports.same = (a, b) => a === b;
exports.fresh = () => new Node(0);
"""
    script = """
const { Stack, Node } = solution;
const s = new Stack(1);
s.push(2).push(3);
out.size = s.size;
out.pop = s.pop();
s.top = 20;
out.items = [...s];
out.chained = s.push(9) === s;
out.instance = s instanceof Stack && !(s instanceof Node) && !({} instanceof Stack);
out.keys = Object.keys(s);
out.static = Stack.of(7, 8).size;
out.constructorName = s.constructor.name;
const list = new Node(1, new Node(2, new Node(3)));
out.total = solution.total(list);
out.sameHandle = solution.same(list, list) && list.next === list.next;
out.distinct = solution.fresh() !== solution.fresh();
out.notPlain = caught(() => assert.deepStrictEqual(new Node(1), { value: 1, next: null })).type;
out.inspect = [util.inspect(s), util.inspect(solution.total), util.inspect(Stack)];
"""
    assert rig.run(solution, script).out == {
        "size": 3,
        "pop": 3,
        "items": [1, 20],
        "chained": True,
        "instance": True,
        "keys": ["items"],
        "static": 2,
        "constructorName": "Stack",
        "total": 6,
        "sameHandle": True,
        "distinct": True,
        "notPlain": "AssertionError",
        "inspect": ["[Stack (solution)]", "[Function: total (solution)]", "[class Stack (solution)]"],
    }


def test_async_functions_are_awaited_and_rejections_arrive_as_rejected_promises(rig: Rig) -> None:
    solution = """
exports.later = async (x) => { await new Promise((r) => setTimeout(r, 30)); return x * 2; };
exports.refuse = async (why) => { await null; throw new RangeError(why); };
exports.plainPromise = () => new Promise((resolve) => setImmediate(() => resolve('done')));
exports.pair = () => [Promise.resolve(1), 2];
exports.never = () => new Promise(() => {});
exports.quick = () => 'still there';
"""
    script = """
const pending = solution.later(21);
out.isPromise = pending instanceof Promise;
out.value = await pending;
const rejected = solution.refuse('no way');
out.rejectedIsPromise = rejected instanceof Promise;
await assert.rejects(rejected, { name: 'RangeError', message: 'no way' });
await assert.rejects(() => solution.refuse('again'), RangeError);
out.plain = await solution.plainPromise();
const [first, second] = solution.pair();
out.pair = [await first, second];
// node:test fails a test whose promise can never settle; the server must not end over it
out.never = await solution.never().then(() => 'settled', (e) => e.message.split(':')[0]);
out.after = solution.quick();
"""
    assert rig.run(solution, script).out == {
        "isPromise": True,
        "value": 42,
        "rejectedIsPromise": True,
        "plain": "done",
        "pair": [1, 2],
        "never": "the solution's promise can never settle",
        "after": "still there",
    }


def test_generators_and_async_generators_are_iterated_in_the_solution(rig: Rig) -> None:
    solution = """
exports.count = function* (n) { for (let i = 0; i < n; i++) yield i; return 'end'; };
exports.ticks = async function* () { yield 'a'; await new Promise((r) => setTimeout(r, 5)); yield 'b'; };
"""
    script = """
out.spread = [...solution.count(4)];
const it = solution.count(1);
out.steps = [it.next(), it.next(), it.next()];
const seen = [];
for await (const x of solution.ticks()) seen.push(x);
out.async = seen;
"""
    assert rig.run(solution, script).out == {
        "spread": [0, 1, 2, 3],
        "steps": [{"value": 0, "done": False}, {"value": "end", "done": True}, {"done": True}],
        "async": ["a", "b"],
    }


def test_the_tests_callbacks_run_in_the_judge_while_it_waits(rig: Rig) -> None:
    solution = """
exports.map = (xs, f) => xs.map((x) => f(x));
exports.twice = (f) => f(f(1));
exports.give = (f) => f;
exports.nested = (f) => f(exports.triple) + 1;
exports.triple = (x) => x * 3;
exports.guard = (f) => { try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } };
exports.useStore = (store) => { store.put('k', 5); return store.get('k') + store.size; };
"""
    script = """
const calls = [];
out.map = solution.map([1, 2, 3], (x) => { calls.push(x); return x * 10; });
out.calls = calls;
out.twice = solution.twice((x) => x + 1);
const f = () => 1;
out.identity = solution.give(f) === f;
out.nested = solution.nested((triple) => triple(5));
out.guard = solution.guard(() => { throw new TypeError('from the test'); });
class Store {
  constructor() { this.data = {}; }
  put(k, v) { this.data[k] = v; }
  get(k) { return this.data[k]; }
  get size() { return 1; }
}
const store = new Store();
out.store = solution.useStore(store);
out.storeData = store.data;
"""
    assert rig.run(solution, script).out == {
        "map": [10, 20, 30],
        "calls": [1, 2, 3],
        "twice": 3,
        "identity": True,
        "nested": 16,
        "guard": "TypeError: from the test",
        "store": 6,
        "storeData": {"k": 5},
    }


def test_module_functions_can_be_mocked_and_called_like_functions(rig: Rig) -> None:
    solution = """
exports.double = (x) => x * 2;
exports.quadruple = (x) => exports.double(exports.double(x));
"""
    script = """
const { mock } = require('node:test');
const spy = mock.method(solution, 'double', (x) => -x);
out.mocked = [solution.double(4), solution.quadruple(1), spy.mock.calls.length];
spy.mock.restore();
out.restored = [solution.double(4), solution.quadruple(1)];
out.functionMethods = [solution.double.call(null, 5), solution.double.bind(null, 6)(), solution.double.length];
out.moduleType = typeof solution;
"""
    assert rig.run(solution, script).out == {
        "mocked": [-4, 1, 3],
        "restored": [8, 4],
        "functionMethods": [10, 12, 1],
        "moduleType": "object",
    }


# --- errors ----------------------------------------------------------------------------------------


def test_a_thrown_type_error_is_a_type_error_with_the_solutions_stack(rig: Rig) -> None:
    solution = """
exports.parse = (text) => { if (typeof text !== 'string') throw new TypeError('text must be a string'); return text; };
exports.throwString = () => { throw 'just a string'; };
"""
    script = """
assert.throws(() => solution.parse(1), TypeError);
assert.throws(() => solution.parse(1), /text must be a string/);
let error;
try { solution.parse(1); } catch (e) { error = e; }
out.type = error.constructor === TypeError && error instanceof Error;
out.message = error.message;
out.stackHasTest = error.stack.split('\\n')[1].includes('judge.js');
out.stackHasSolution = /in the solution:\\nTypeError: text must be a string\\n\\s+at .*solution\\.js/.test(error.stack);
out.noHarnessFrames = !error.stack.includes('js_proxy.js') && !error.stack.includes('js_server.js');
out.thrownValue = caught(() => solution.throwString());
"""
    assert rig.run(solution, script).out == {
        "type": True,
        "message": "text must be a string",
        "stackHasTest": True,
        "stackHasSolution": True,
        "noHarnessFrames": True,
        "thrownValue": {"value": "just a string"},
    }


def test_a_custom_error_class_keeps_its_name_bases_and_fields(rig: Rig) -> None:
    solution = """
class AppError extends Error {}
class ValidationError extends AppError {
  constructor(field) {
    super(`bad ${field}`);
    Object.assign(this, { name: 'ValidationError', field, code: 'E_VALID' });
  }
}
class NotANumber extends TypeError {}
exports.AppError = AppError;
exports.ValidationError = ValidationError;
exports.check = (field) => { throw new ValidationError(field); };
exports.number = () => { throw new NotANumber('NaN'); };
"""
    script = """
assert.throws(() => solution.check('age'), solution.ValidationError);
assert.throws(() => solution.check('age'), solution.AppError);
const fields = { name: 'ValidationError', message: 'bad age', code: 'E_VALID', field: 'age' };
assert.throws(() => solution.check('age'), fields);
assert.throws(() => solution.number(), TypeError);
let error;
try { solution.check('age'); } catch (e) { error = e; }
out.name = error.name;
out.className = error.constructor.name;
out.chain = [Object.getPrototypeOf(Object.getPrototypeOf(error)).constructor.name, error instanceof Error];
out.notOther = caught(() => assert.throws(() => solution.number(), solution.ValidationError)).type;
"""
    assert rig.run(solution, script).out == {
        "name": "ValidationError",
        "className": "ValidationError",
        "chain": ["AppError", True],
        "notOther": "AssertionError",
    }


# --- arguments -------------------------------------------------------------------------------------


def test_arrays_and_objects_the_solution_changes_are_copied_back_in_place(rig: Rig) -> None:
    solution = """
exports.sortInPlace = (xs) => { xs.sort((a, b) => a - b); };
exports.tag = (o) => { o.seen = true; delete o.drop; };
exports.remember = (m) => { m.set('k', 1); };
exports.later = async (xs) => { await null; xs.push('late'); };
exports.leave = (xs) => xs.length;
"""
    script = """
const xs = [3, 1, 2];
solution.sortInPlace(xs);
out.sorted = xs;
const o = { keep: 1, drop: 2 };
solution.tag(o);
out.object = o;
const m = new Map();
solution.remember(m);
out.map = [...m];
const ys = [];
await solution.later(ys);
out.async = ys;
const zs = [1];
out.untouched = solution.leave(zs) === 1 && zs.length === 1;
"""
    assert rig.run(solution, script).out == {
        "sorted": [1, 2, 3],
        "object": {"keep": 1, "seen": True},
        "map": [["k", 1]],
        "async": ["late"],
        "untouched": True,
    }


# --- failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("solution", "error"),
    [
        ("exports.add = (a, b) => a + b;\nfunction broken( {\n", "SyntaxError"),
        ("throw new Error('cannot start');\n", "Error: cannot start"),
    ],
)
def test_a_solution_that_does_not_load_fails_every_use(rig: Rig, solution: str, error: str) -> None:
    script = """
const { add } = solution;
out.add = caught(() => add(1, 2));
out.again = caught(() => solution.add(1, 2));
"""
    out = rig.run(solution, script).out
    for key in ("add", "again"):
        assert out[key]["type"] == "Error"
        assert out[key]["message"].startswith(LOAD_FAILED + "\n")
        assert error in out[key]["message"]
        assert "js_server.js" not in out[key]["message"]


def test_collect_mode_refuses_every_use_without_connecting(rig: Rig) -> None:
    script = """
const { add, Stack } = solution;
out.uses = [
  () => add(1, 2), () => new Stack(), () => solution.PI + 1, () => `${solution}`, () => Object.keys(solution),
  () => solution.add.length,
].map((f) => caught(f).message);
out.destructured = typeof add;
"""
    # No server at all: in collect mode the proxy must not even open the FIFOs.
    run = rig.run(None, script, mode="collect", timeout=10)
    assert run.out == {"uses": [NOT_DURING_COLLECTION] * 6, "destructured": "function"}


def test_a_call_past_the_deadline_throws_and_so_does_every_later_one(rig: Rig) -> None:
    solution = "exports.spin = () => { for (;;) {} };\nexports.quick = () => 1;\n"
    script = """
let t = Date.now();
out.first = caught(() => solution.spin()).message;
out.firstTook = Date.now() - t;
t = Date.now();
out.later = caught(() => solution.quick()).message;
out.laterTook = Date.now() - t;
"""
    run = rig.run(solution, script, deadline=1.5)
    out = run.out
    assert out["first"] == NO_ANSWER
    assert out["later"] == NO_ANSWER
    assert 700 <= out["firstTook"] <= 1300  # the deadline less the 0.3 s margin, from after node started
    assert out["laterTook"] < 50
    assert run.judge.stderr.count(TIMEOUT_MARKER) == 1
    assert run.seconds < 5


def test_a_solution_that_hangs_while_loading_times_out_each_use(rig: Rig) -> None:
    script = """
const { add } = solution;
out.add = caught(() => add(1, 2)).message;
"""
    run = rig.run("for (;;) {}\n", script, deadline=1.0)
    assert run.out == {"add": NO_ANSWER}
    assert run.seconds < 5


def test_a_solution_that_exits_fails_that_call_and_every_later_one(rig: Rig) -> None:
    solution = "exports.quit = () => process.exit(3);\nexports.quick = () => 1;\n"
    script = """
out.quit = caught(() => solution.quit()).message;
out.later = caught(() => solution.quick()).message;
"""
    ended = "the solution process ended (it exited, crashed or was killed)"
    assert rig.run(solution, script).out == {"quit": ended, "later": ended}


def test_the_solution_can_only_call_the_callbacks_it_was_given(rig: Rig) -> None:
    # A hostile solution writes its own requests on the channel while the judge waits for its answer.
    solution = r"""
const fs = require('fs');
function ask(message) {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(4); head.writeUInt32BE(body.length);
  fs.writeSync(4, Buffer.concat([head, body]));
  const read = (n) => {
    const b = Buffer.alloc(n);
    for (let got = 0; got < n; ) got += fs.readSync(3, b, got, n - got, null);
    return b;
  };
  return JSON.parse(read(read(4).readUInt32BE(0)).toString());
}
exports.probe = (cb) => [
  ask({ op: 'get', obj: 1, name: 'constructor' }).err.message,
  ask({ op: 'call', obj: 1, name: 'call', args: [], kwargs: [] }).err.message,
  ask({ op: 'call', obj: 999, name: null, args: [], kwargs: [] }).err.message,
  ask({ op: 'call', obj: 1, name: null, args: [], kwargs: [] }).ok,
];
"""
    script = "out.probe = solution.probe(() => 'only this');\n"
    refused = "the solution may only call the functions a test gave it"
    assert rig.run(solution, script).out == {"probe": [refused, refused, refused, "only this"]}


# --- collection ------------------------------------------------------------------------------------

COLLECTED_FILE = """\
const test = require('node:test');
const { describe, it } = require('node:test');
const { add } = require('./solution');

test('top', () => { throw new Error('test bodies never run here'); });
test.skip('skipped', () => {});
test('skipped by option', { skip: 'not yet' }, () => {});
test.todo('todo');
test('todo by option', { todo: true }, () => {});
test(function named() {});
test('', () => {});
describe('outer', () => {
  it('a', () => {});
  describe('inner', () => {
    it('b', () => {});
    it.skip('c');
  });
  describe.skip('skipped suite', () => { it('never reported', () => {}); });
  describe('later', async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    it('after an await', () => {});
  });
});
for (const n of [1, 2, 3]) {
  test(`case ${n}`, () => assert.strictEqual(add(n, n), 2 * n));
}
setInterval(() => {}, 1000); // a file that leaves a timer behind still gets its list
"""


def collect(node: str, folder: Path, test_file: str, solution: str = PROXY_STUB) -> list[dict[str, Any]]:
    """Run the collection step on `test_file`, with `solution` as ./solution.js (the proxy's stub by default)."""
    (folder / "test_solution.js").write_text(test_file)
    (folder / "solution.js").write_text(solution)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SANDBOX_PROXY_MODE": "collect"}
    started = time.monotonic()
    report, _ = with_fd3(
        node, [f"--require={HARNESS / 'node_collect.js'}", str(folder / "test_solution.js")], cwd=folder, env=env
    )
    assert time.monotonic() - started < 20
    return [json.loads(line) for line in report.splitlines()]


def test_node_collect_lists_the_tests_without_running_them(tmp_path: Path, node: str) -> None:
    assert collect(node, tmp_path, COLLECTED_FILE) == [
        {
            "event": "collected",
            "tests": [
                {"name": "top", "declared_skip": False},
                {"name": "skipped", "declared_skip": True},
                {"name": "skipped by option", "declared_skip": True},
                {"name": "todo", "declared_skip": True},
                {"name": "todo by option", "declared_skip": True},
                {"name": "named", "declared_skip": False},
                {"name": "<anonymous>", "declared_skip": False},
                {"name": "outer > a", "declared_skip": False},
                {"name": "outer > inner > b", "declared_skip": False},
                {"name": "outer > inner > c", "declared_skip": True},
                {"name": "case 1", "declared_skip": False},
                {"name": "case 2", "declared_skip": False},
                {"name": "case 3", "declared_skip": False},
                {"name": "outer > later > after an await", "declared_skip": False},
            ],
        }
    ]


def test_node_collect_never_loads_the_real_solution(tmp_path: Path, node: str) -> None:
    # In an in-process run the real solution sits beside the tests: collecting must not run it.
    solution = "require('fs').writeFileSync(__dirname + '/ran', 'x'); exports.add = (a, b) => a + b;\n"
    events = collect(node, tmp_path, COLLECTED_FILE, solution)
    assert events[0]["event"] == "collected"
    assert len(events[0]["tests"]) == 14
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    ("test_file", "expected"),
    [
        ("require('node:test')('a', () => {});\nthrow new Error('broken file');\n", "Error: broken file"),
        (
            "const { describe, it } = require('node:test');\nconst s = require('./solution');\n"
            "describe('uses it too early', () => { const n = s.count(); it('x', () => {}); });\n",
            NOT_DURING_COLLECTION,
        ),
        (
            "const { describe } = require('node:test');\n"
            "describe('x', async () => { throw new TypeError('late'); });\n",
            "late",
        ),
    ],
)
def test_node_collect_reports_an_error_when_the_file_throws(
    tmp_path: Path, node: str, test_file: str, expected: str
) -> None:
    events = collect(node, tmp_path, test_file)
    assert len(events) == 1
    assert events[0]["event"] == "error"
    assert expected in events[0]["message"]
    assert "test_solution.js" in events[0]["message"]


# --- the whole judge: node --test with the reporter -------------------------------------------------

RUN_FILE = """\
const test = require('node:test');
const assert = require('node:assert');
const { add, spin } = require('./solution');

test('adds', () => assert.strictEqual(add(2, 3), 5));
test('adds wrongly', () => assert.strictEqual(add(2, 2), 5));
test('catches the timeout', () => assert.throws(() => spin()));
"""


def test_node_test_through_the_proxy_and_the_reporter(rig: Rig, node: str) -> None:
    server = rig.start_server("exports.add = (a, b) => a + b;\nexports.spin = () => { for (;;) {} };\n")
    (rig.judge_dir / "test_solution.js").write_text(RUN_FILE)
    command = [
        f"--require={HARNESS / 'node_stdin.js'}",
        "--test",
        f"--test-reporter={HARNESS / 'node_reporter.mjs'}",
        "--test-reporter-destination=/dev/fd/3",
        "test_solution.js",
    ]
    try:
        report, err = with_fd3(node, command, cwd=rig.judge_dir, env=rig.env("run", deadline=4.0))
    finally:
        server.kill()
        server.communicate()
    events = [json.loads(line) for line in report.splitlines()]
    tests = {e["name"]: e for e in events if e["event"] == "test"}
    assert {name: e["outcome"] for name, e in tests.items()} == {
        "adds": "passed",
        "adds wrongly": "failed",
        "catches the timeout": "passed",  # the test caught it, but the run is a timeout all the same:
    }
    assert [e for e in events if e["event"] == "call_timeout"] == [{"event": "call_timeout", "message": NO_ANSWER}]
    assert "4 !== 5" in tests["adds wrongly"]["message"]
    assert events[-1] == {"event": "done"}
    assert TIMEOUT_MARKER not in err
