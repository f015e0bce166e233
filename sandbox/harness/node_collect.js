// The collection step for JavaScript: which tests does the test file define? Preloaded as
//   node --require=/tmp/harness/node_collect.js /work/judge/test_solution.js
// (cwd /work/judge, SANDBOX_PROXY_MODE=collect, fd 3 the collection pipe). It loads the test file with
// `node:test` replaced by stand-ins that only record: test bodies and hooks never run, describe()
// bodies run to find the tests inside them. No solution code runs: `./solution` is the proxy in
// collect mode (even in an in-process run, where the real solution sits there), which throws on use.
//
// Writes one JSON line to fd 3 when done:
//   {"event": "collected", "tests": [{"name": "outer > inner > test", "declared_skip": false}, ...]}
// with names joined like node_reporter.mjs joins them, or {"event": "error", "message": "..."} when
// loading the file (or running a describe() body) threw.
//
// Mirrors node 18's lib/internal/test_runner: the (name, options, fn) argument forms, a name that is
// not a non-empty string replaced by fn.name or "<anonymous>", `skip`/`todo` (options, or
// test.skip/it.todo/...) truthy => a declared skip, a skipped describe() whose body never runs (so its
// tests are never reported), a todo describe() whose tests are ordinary ones.
"use strict";

const fs = require("fs");
const path = require("path");
const Module = require("module");
const { AsyncLocalStorage } = require("async_hooks");

const REPORT_FD = 3;
const CAP = 4000;
const testFile = path.resolve(process.argv[1] || "test_solution.js");
const solutionFile = path.join(path.dirname(testFile), "solution.js");

process.env.SANDBOX_PROXY_MODE = "collect"; // whatever the caller said: nothing crosses here

const tests = [];
const suites = new AsyncLocalStorage(); // the names of the describe() blocks around running code
const pending = []; // async describe() bodies still defining tests
let failure = null;
let written = false;

function cleanStack(error) {
  let text;
  try {
    text = error && error.stack ? String(error.stack) : String(error);
  } catch (e) {
    text = "an exception that cannot be printed";
  }
  return text
    .split("\n")
    .filter((line) => !line.includes(__filename) && !/^\s+at .*\(?node:/.test(line))
    .join("\n")
    .slice(0, CAP);
}

function setFailure(error) {
  if (failure === null) failure = cleanStack(error);
}

function write() {
  if (written) return;
  written = true;
  const event = failure !== null ? { event: "error", message: failure } : { event: "collected", tests };
  try {
    fs.writeSync(REPORT_FD, `${JSON.stringify(event)}\n`);
  } catch (error) {
    // no report pipe (run by hand): nothing to say it on
  }
}

// node 18's createSubtest() and Test constructor, as far as names and skips go.
function define(kind, name, options, fn, overrides) {
  if (typeof name === "function") {
    fn = name;
  } else if (name !== null && typeof name === "object") {
    fn = options;
    options = name;
  } else if (typeof options === "function") {
    fn = options;
  }
  if (options === null || typeof options !== "object") options = {};
  const settings = { fn, name, ...options, ...overrides };
  const body = settings.fn;
  const title = typeof settings.name === "string" && settings.name !== "" ? settings.name : (typeof body === "function" && body.name) || "<anonymous>";
  const names = [...(suites.getStore() || []), title];
  if (kind === "test") {
    tests.push({ name: names.join(" > "), declared_skip: Boolean(settings.skip || settings.todo) });
    return Promise.resolve();
  }
  if (settings.skip || typeof body !== "function") return Promise.resolve(); // node never runs its body
  try {
    const result = suites.run(names, () => body.call(undefined, { name: title, signal: new AbortController().signal }));
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      pending.push(Promise.resolve(result).catch(setFailure));
    }
  } catch (error) {
    setFailure(error);
  }
  return Promise.resolve();
}

function runner(kind) {
  const make = (overrides) => (name, options, fn) => define(kind, name, options, fn, overrides);
  const run = make({});
  run.skip = make({ skip: true });
  run.todo = make({ todo: true });
  run.only = make({});
  return run;
}

let standIn = null;

function nodeTest(load, parent) {
  if (standIn !== null) return standIn;
  const test = runner("test");
  const hook = () => undefined; // before/after/beforeEach/afterEach: never run here
  Object.assign(test, { test, it: runner("test"), describe: runner("suite"), before: hook, after: hook, beforeEach: hook, afterEach: hook });
  test.suite = test.describe;
  let real = null;
  try {
    real = load.call(Module, "node:test", parent, false); // only its `mock` and the like: requiring it starts nothing
  } catch (error) {
    real = null;
  }
  for (const key of real ? Object.keys(real) : []) {
    if (!(key in test)) Object.defineProperty(test, key, { get: () => real[key], enumerable: true, configurable: true });
  }
  if (!("mock" in test)) test.mock = undefined;
  standIn = test;
  return standIn;
}

function isSolution(request, parent) {
  try {
    return Module._resolveFilename(request, parent, false) === solutionFile;
  } catch (error) {
    // not there at all: `./solution` is still the solution
    const base = parent && parent.filename ? path.dirname(parent.filename) : process.cwd();
    const wanted = path.resolve(base, request);
    return wanted === solutionFile || `${wanted}.js` === solutionFile;
  }
}

// After the file's own code: let async describe() bodies finish, then report and end (a file that
// leaves a timer or a server behind would otherwise keep this step alive).
async function finish() {
  for (let seen = -1; seen !== pending.length; ) {
    seen = pending.length;
    await Promise.allSettled(pending);
  }
  await new Promise((resolve) => setImmediate(resolve));
  write();
  process.exit(failure === null ? 0 : 1);
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "node:test" || request === "test") return nodeTest(load, parent);
  if (!isMain && parent && isSolution(request, parent)) return load.call(Module, path.join(__dirname, "js_proxy.js"), parent, false);
  if (!isMain) return load.apply(Module, arguments);
  try {
    return load.apply(Module, arguments);
  } finally {
    setImmediate(finish);
  }
};

process.on("uncaughtException", setFailure);
process.on("unhandledRejection", setFailure);
process.on("exit", write);
