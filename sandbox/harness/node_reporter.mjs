import { writeSync } from "node:fs";
// Runs inside the sandbox in the parent `node --test` process; the tests and the solution run in a
// child process, whose console output node hands to us as events (it is never parsed as results).
// Writes the same JSON-lines report as the Python runner; the host compares it with what it expects.
const CAP = 4000;
// js_proxy.js writes this line to the test process's stderr when a call into the solution ran out of
// time: reported even when the test caught the error (assert.throws), so the run cannot pass on it.
const TIMEOUT_MARKER = "@@sandbox:call_timeout@@";

// What a test threw may be anything, objects that refuse to become strings included: never let that
// end the reporter (the run would lose every verdict).
function text(value) {
  try {
    return typeof value === "string" ? value : String(value);
  } catch (e) {
    try { return Object.prototype.toString.call(value); } catch (e2) { return "<unprintable>"; }
  }
}

function failure(details) {
  let cause;
  try {
    const error = details && details.error;
    if (!error) return "";
    cause = error.cause !== undefined ? error.cause : error;
  } catch (e) {
    return "<unprintable failure>";
  }
  let stack, message;
  try { stack = cause && cause.stack; } catch (e) { stack = undefined; }
  try { message = cause && cause.message; } catch (e) { message = undefined; }
  const text_ = stack ? text(stack) : text(message !== undefined ? message : cause);
  const lines = text_;
  // Frames inside node itself say nothing about the tested code.
  return lines.split("\n").filter((l) => !/^\s+at .*\(?node:/.test(l)).join("\n").slice(0, CAP);
}

function outcomeOf(type, data) {
  if (type === "test:pass") return data.skip || data.todo ? "skipped" : "passed";
  const kind = data.details && data.details.error && data.details.error.failureType;
  return kind === "hookFailure" || kind === "cancelledByParent" || kind === "uncaughtException" ? "error" : "failed";
}

// Lines go straight to fd 3, the report pipe this process inherited: opening /dev/fd/3 as a
// destination needs the pipe to be the judge's own, which not every runtime allows (gVisor).
function emit(text) {
  const data = Buffer.from(text);
  for (let off = 0; off < data.length; ) off += writeSync(3, data, off);
}

export default async function* reporter(source) {
  const line = (event) => JSON.stringify(event) + "\n";
  const path = [];
  for await (const { type, data = {} } of source) {
    if (type === "test:stdout") { process.stdout.write(data.message); continue; }
    if (type === "test:stderr") {
      let text = String(data.message);
      for (let at = text.indexOf(TIMEOUT_MARKER); at >= 0; at = text.indexOf(TIMEOUT_MARKER)) {
        const end = text.indexOf("\n", at) < 0 ? text.length : text.indexOf("\n", at) + 1;
        emit(line({ event: "call_timeout", message: text.slice(at + TIMEOUT_MARKER.length, end).trim() }));
        text = text.slice(0, at) + text.slice(end);
      }
      process.stderr.write(text);
      continue;
    }
    if (type === "test:start") { path[data.nesting] = data.name; path.length = data.nesting + 1; continue; }
    if (type !== "test:pass" && type !== "test:fail") continue;
    if (data.file && data.name === data.file) {
      // node reports the file itself only when its process ended without reporting its tests.
      emit(line({ event: "file", outcome: type === "test:pass" ? "passed" : "failed", message: failure(data.details) }));
      continue;
    }
    if (data.details && data.details.type === "suite") {
      if (type === "test:fail") emit(line({ event: "error", message: `suite ${data.name}: ${failure(data.details)}` }));
      continue;
    }
    const name = [...path.slice(0, data.nesting), data.name].join(" > ");
    const duration = data.details && data.details.duration_ms ? Math.round(data.details.duration_ms) : 0;
    emit(line({ event: "test", name, outcome: outcomeOf(type, data), duration_ms: duration, message: failure(data.details) }));
  }
  emit(line({ event: "done" }));
}
