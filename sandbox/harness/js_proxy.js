// The judge's `solution` module for JavaScript: `require('./solution')` in a test gives a proxy whose
// every use crosses to the solution server (js_server.js, another process under another uid) through
// the FIFOs of PROTOCOL.md. Runs inside the `node --test` child under the judge's uid. Stdlib only.
//
// Env: SANDBOX_IPC (the folder of the FIFOs `call` and `answer`), SANDBOX_DEADLINE (Unix time, s: a
// call still unanswered MARGIN before it throws NO_ANSWER, and so does every later one),
// SANDBOX_PROXY_MODE (`run`, or `collect`: nothing crosses and every use throws).
//
// What the solution sends is decoded into built-in values only (numbers, strings, arrays, plain
// objects, Map, Set, Buffer, Date, errors of built-in classes or of stand-in classes made here); an
// object that is not plain data stays in the solution and arrives as a handle: a Proxy whose property
// reads, calls and `new` cross the wire. Nothing the solution returns can bring behaviour into this
// process beyond calls back to it: `===` on a handle is identity, and no equality is asked of the solution.
//
// Everything is synchronous (fs.readSync on a non-blocking FIFO, polled with short sleeps so the deadline
// holds): a call returns its value, or for a function that returned a promise an already-settled
// Promise (the server awaited it). The test's functions passed as arguments are served while we wait;
// they must be synchronous (this process's event loop cannot run during the wait).
// The JavaScript additions to PROTOCOL.md are listed at the top of js_server.js.
"use strict";

const fs = require("fs");
const path = require("path");
const util = require("util");

const { isPromise, isMap, isSet, isDate, isNativeError, isTypedArray, isUint8Array, isAnyArrayBuffer } = util.types;

const LOAD_FAILED = "the solution could not be loaded:";
const NOT_DURING_COLLECTION = "the solution cannot be used while the tests are being collected: use it inside a test";
const NO_ANSWER = "the solution did not answer within the time limit";
const ENDED = "the solution process ended (it exited, crashed or was killed)";
const MALFORMED = "the solution's process broke the protocol (it sent data that is not of this protocol) and is no longer used";
const REFUSED = "the solution may only call the functions a test gave it";
// A line on stderr that node_reporter.mjs turns into the report's {"event": "call_timeout"}: a test that
// catches the timeout error (assert.throws) must not pass unnoticed.
const TIMEOUT_MARKER = "@@sandbox:call_timeout@@";
const MARGIN = 0.3; // seconds before the run's deadline when a call gives up

const FRAME_CAP = Number(process.env.SANDBOX_FRAME_CAP) || 16 << 20;
const MAX_DEPTH = 100;
const MAX_NODES = 4 << 20;
const ERROR_TEXT_CAP = 8000;
const BUILTIN_ERRORS = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError"];
const BUILTIN_PROTOS = new Map(BUILTIN_ERRORS.map((name) => [globalThis[name].prototype, name]));
const TYPED = new Map(
  ["Int8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"].map((n) => [n, globalThis[n]])
);

const MODE = process.env.SANDBOX_PROXY_MODE === "collect" ? "collect" : "run";
const IPC = process.env.SANDBOX_IPC || "";
const DEADLINE = Number.isFinite(parseFloat(process.env.SANDBOX_DEADLINE)) ? parseFloat(process.env.SANDBOX_DEADLINE) - MARGIN : null;

class ChannelClosed extends Error {
  constructor(message, malformed = false) {
    super(message);
    this.malformed = malformed;
  }
}
class WireTimeout extends Error {}

// An error of ours, with the frames of this file left out: the test's own line is what matters.
function proxyError(message) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const error = new Error(message);
  Error.stackTraceLimit = limit;
  error.stack = cleanStack(error.stack, limit + 1);
  return error;
}

function cleanStack(text, keep = 11) {
  const lines = String(text).split("\n");
  const head = lines.filter((line) => !/^\s+at /.test(line));
  const frames = lines.filter((line) => /^\s+at /.test(line) && !line.includes(__filename));
  return [...head, ...frames.slice(0, keep)].join("\n");
}

// --- the channel --------------------------------------------------------------------------------

const channel = { wfd: -1, rfd: -1, hello: null, failure: null, warned: false };
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

// Throws what every use of the solution throws now, if anything.
function refuse() {
  if (MODE === "collect") throw proxyError(NOT_DURING_COLLECTION);
  if (channel.failure !== null) throw proxyError(channel.failure);
}

function fail(message) {
  if (channel.failure === null) channel.failure = message;
  return proxyError(channel.failure);
}

function timedOut() {
  if (!channel.warned) {
    channel.warned = true;
    try {
      fs.writeSync(2, `${TIMEOUT_MARKER} ${NO_ANSWER}\n`);
    } catch (error) {
      // no stderr: the test's failure still says it
    }
  }
  return fail(NO_ANSWER);
}

// What a failure of the wire means for the test: the channel is done for, and every later use says so.
function channelError(error) {
  if (error instanceof WireTimeout) return timedOut();
  if (error instanceof ChannelClosed) return fail(error.malformed ? `${MALFORMED}: ${error.message}` : ENDED);
  return error;
}

function connect() {
  refuse();
  if (channel.wfd >= 0) return;
  if (!IPC) throw fail(`${ENDED}: SANDBOX_IPC is not set`);
  try {
    // `call` first: ENXIO (no reader) means the server is gone; then `answer`, polled for replies.
    channel.wfd = fs.openSync(path.join(IPC, "call"), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    channel.rfd = fs.openSync(path.join(IPC, "answer"), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw fail(ENDED);
  }
  let hello;
  try {
    hello = receive().hello;
  } catch (error) {
    throw channelError(error);
  }
  if (hello === null || typeof hello !== "object" || !hello.loaded) {
    const text = hello !== null && typeof hello === "object" ? String(hello.error || "") : "no greeting";
    throw fail(`${LOAD_FAILED}\n${text.slice(-6000)}`);
  }
  channel.hello = hello;
}

// Between polls: sleep, never spin. The solution runs at the lowest CPU priority in the same
// container, so a judge that spins while it waits takes the very CPU the answer needs (measured in
// the container: about 1 ms a call with 40 spins first, about 0.2 ms sleeping). Sleeps grow to 2 ms
// while the solution computes.
function waitABit(idle) {
  if (DEADLINE !== null && Date.now() / 1000 >= DEADLINE) throw new WireTimeout();
  Atomics.wait(SLEEPER, 0, 0, idle < 200 ? 0.005 : idle < 1000 ? 0.2 : 2);
}

function readExact(n) {
  const out = Buffer.allocUnsafe(n);
  let got = 0;
  let idle = 0;
  while (got < n) {
    let count = -1;
    try {
      count = fs.readSync(channel.rfd, out, got, n - got, null);
    } catch (error) {
      if (error.code !== "EAGAIN" && error.code !== "EINTR") throw new ChannelClosed(String(error.message));
    }
    if (count === 0) throw new ChannelClosed("end of the channel");
    if (count > 0) {
      got += count;
      idle = 0;
    } else {
      waitABit(idle++);
    }
  }
  return out;
}

function receive() {
  if (DEADLINE !== null && Date.now() / 1000 >= DEADLINE) throw new WireTimeout(); // even if frames keep coming
  const size = readExact(4).readUInt32BE(0);
  if (size > FRAME_CAP) throw new ChannelClosed(`a frame of ${size} bytes is over the limit`, true);
  let message;
  try {
    message = JSON.parse(readExact(size).toString("utf8"));
  } catch (error) {
    if (error instanceof ChannelClosed || error instanceof WireTimeout) throw error;
    throw new ChannelClosed("a frame that is not JSON", true);
  }
  if (message === null || typeof message !== "object" || Array.isArray(message)) throw new ChannelClosed("a frame that is not an object", true);
  return message;
}

function send(message) {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length > FRAME_CAP) throw new RangeError(`the value is too large to cross to the solution (${body.length} bytes)`);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  let done = 0;
  let idle = 0;
  while (done < frame.length) {
    try {
      done += fs.writeSync(channel.wfd, frame, done, frame.length - done);
      idle = 0;
    } catch (error) {
      if (error.code !== "EAGAIN" && error.code !== "EINTR") throw new ChannelClosed(String(error.message));
      waitABit(idle++);
    }
  }
}

// Send a request and serve the solution's calls of the test's functions until the reply comes.
function exchange(message, state) {
  connect();
  try {
    send(message);
    for (;;) {
      const frame = receive();
      if (typeof frame.op !== "string") {
        inbound = { table: new Map(), origin: state ? state.byId : new Map() };
        return frame;
      }
      const reply = serveCallback(frame);
      if (channel.failure !== null) throw proxyError(channel.failure); // a call inside the callback failed
      try {
        send(reply);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        send({ err: describeError(error) });
      }
    }
  } catch (error) {
    throw channelError(error);
  }
}

// --- the test's functions, as the solution may call them ----------------------------------------

const locals = new Map(); // our handle id -> {kind, value, self?, name?}
const localIds = new Map(); // function / iterator / promise -> id
const methodIds = new WeakMap(); // object -> Map(method name -> id): a test's object with methods
let nextLocal = 1;

function exportLocal(value, kind) {
  let id = localIds.get(value);
  if (id === undefined) {
    id = nextLocal++;
    locals.set(id, { kind, value });
    localIds.set(value, id);
  }
  return { $: "ref", v: id, kind, type: typeName(value) };
}

function exportMethod(self, name, fn) {
  let names = methodIds.get(self);
  if (!names) methodIds.set(self, (names = new Map()));
  let id = names.get(name);
  if (id === undefined) {
    id = nextLocal++;
    locals.set(id, { kind: "function", value: fn, self, name });
    names.set(name, id);
  }
  return { $: "ref", v: id, kind: "function", type: String(name) };
}

function serveCallback(request) {
  const table = new Map();
  inbound = { table, origin: new Map() };
  const replyState = () => Object.assign(newState(), { back: new Map(Array.from(table, ([n, o]) => [o, n])) });
  try {
    const entry = locals.get(request.obj);
    const op = request.op;
    if (!entry || !((op === "call" && (request.name === null || request.name === undefined)) || op === "next")) throw new TypeError(REFUSED);
    const args = Array.isArray(request.args) ? request.args.map((a) => decode(a)) : [];
    if (op === "next") {
      if (entry.kind !== "iterator") throw new TypeError(REFUSED);
      const step = entry.value.next(...args);
      if (isPromise(step)) throw new TypeError("the solution cannot iterate an async iterator of the test");
      return step.done ? { stop: true, value: encode(step.value, replyState()) } : { ok: encode(step.value, replyState()) };
    }
    if (entry.kind !== "function" && entry.kind !== "class") throw new TypeError(REFUSED);
    const result = entry.self !== undefined ? Reflect.apply(entry.self[entry.name], entry.self, args) : Reflect.apply(entry.value, undefined, args);
    return { ok: encode(result, replyState()) };
  } catch (error) {
    if (error instanceof ChannelClosed) throw error;
    return { err: describeError(error) };
  }
}

// --- values -------------------------------------------------------------------------------------

function isPlain(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeName(value) {
  try {
    if (typeof value === "function") return String(value.name || "anonymous").slice(0, 200);
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      const ctor = Object.getOwnPropertyDescriptor(proto, "constructor");
      if (ctor && typeof ctor.value === "function" && ctor.value.name) return String(ctor.value.name).slice(0, 200);
    }
  } catch (error) {
    // fall through
  }
  return "Object";
}

function numberOf(value) {
  if (Number.isNaN(value)) return { $: "float", v: "nan" };
  if (value === Infinity) return { $: "float", v: "inf" };
  if (value === -Infinity) return { $: "float", v: "-inf" };
  if (Object.is(value, -0)) return { $: "float", v: "-0" };
  return value;
}

// One message's state: containers get ids in encoding order (PROTOCOL.md "Identity"); `back` (replies
// only) maps the objects of the request being answered to their ids there.
function newState() {
  return { depth: 0, path: new Set(), nodes: 0, ids: new Map(), byId: new Map(), back: null };
}

function isContainer(value) {
  return Array.isArray(value) || isMap(value) || isSet(value) || isTypedArray(value) || isPlain(value);
}

// The message being decoded: its containers by id, and for a reply the request's own objects.
let inbound = { table: new Map(), origin: new Map() };

// A test's value -> V. The solution's own handles go back as handles; functions become callbacks.
function encode(value, state = newState()) {
  if (++state.nodes > MAX_NODES) throw new RangeError("the value is too large to cross to the solution");
  switch (typeof value) {
    case "undefined":
      return { $: "undefined" };
    case "boolean":
    case "string":
      return value;
    case "number":
      return numberOf(value);
    case "bigint":
      return { $: "bigint", v: value.toString() };
    case "symbol":
      throw new TypeError("a Symbol cannot cross to the solution");
    default:
      break;
  }
  if (value === null) return null;
  if (handleOf.has(value)) return { $: "handle", v: handleOf.get(value) };
  if (dead.has(value)) refuse();
  if (typeof value === "function") return exportLocal(value, /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "class" : "function");
  if (state.depth >= MAX_DEPTH) throw new RangeError("the value is nested too deeply to cross to the solution");
  if (state.path.has(value)) throw new TypeError("a value that contains itself cannot cross to the solution");
  const container = isContainer(value);
  if (container) {
    if (state.ids.has(value)) return { $: "same", v: state.ids.get(value) };
    if (state.back && state.back.has(value)) return { $: "back", v: state.back.get(value) };
  }
  state.path.add(value);
  state.depth++;
  try {
    if (!container) return encodeObject(value, state);
    const n = state.ids.size;
    state.ids.set(value, n);
    state.byId.set(n, value);
    const encoded = encodeObject(value, state);
    if (["list", "dict", "set", "bytes"].includes(encoded.$)) encoded.id = n;
    return encoded;
  } finally {
    state.depth--;
    state.path.delete(value);
  }
}

const COERCION_KEYS = new Set(["valueOf", "toString", "toLocaleString", "toJSON"]);

function refuseCoercion(key) {
  return function () {
    throw new TypeError(`the solution's ${key}() does not take part in the tests' comparisons: compare plain values`);
  };
}

function encodeObject(value, state) {
  const inner = (v) => encode(v, state);
  if (Array.isArray(value)) {
    const items = [];
    for (let i = 0; i < value.length; i++) items.push(inner(value[i]));
    return { $: "list", v: items };
  }
  if (isMap(value)) return { $: "dict", map: true, v: Array.from(value, ([k, v]) => [inner(k), inner(v)]) };
  if (isSet(value)) return { $: "set", v: Array.from(value, inner) };
  if (isUint8Array(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    return Buffer.isBuffer(value) ? { $: "bytes", v: bytes } : { $: "bytes", v: bytes, js: "Uint8Array" };
  }
  if (isAnyArrayBuffer(value)) return { $: "bytes", v: Buffer.from(value).toString("base64"), js: "ArrayBuffer" };
  if (isTypedArray(value) && TYPED.has(typeName(value))) return { $: "list", v: Array.from(value, inner), js: typeName(value) };
  if (isDate(value)) return { $: "date", v: Number.isNaN(value.getTime()) ? null : value.getTime() };
  if (isNativeError(value) || value instanceof Error) return { $: "exc", v: describeError(value, state) };
  if (isPromise(value)) return exportLocal(value, "coroutine");
  if (typeof value.next === "function" && typeof value[Symbol.iterator] === "function") return exportLocal(value, "iterator");
  const items = [];
  for (const key of Object.keys(value)) items.push([key, inner(value[key])]);
  if (!isPlain(value)) {
    // An instance of a test's class (a fake, a spy): its data, and its methods and getters as
    // callbacks on the object itself, so what the solution does to it is seen by the test.
    const seen = new Set(Object.keys(value));
    for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === "constructor" || seen.has(key)) continue;
        seen.add(key);
        const desc = Object.getOwnPropertyDescriptor(proto, key);
        if (typeof desc.value === "function") items.push([key, exportMethod(value, key, desc.value)]);
        else if (typeof desc.get === "function") {
          let current;
          try {
            current = value[key];
          } catch (error) {
            continue; // a getter that throws is left out
          }
          items.push([key, inner(current)]);
        }
      }
    }
  }
  return { $: "dict", v: items };
}

// The solution's objects, as handles here: one Proxy per handle id, so identity holds.
const proxies = new Map();
const handleOf = new WeakMap();
const dead = new WeakSet(); // stand-ins that only throw (collection, a solution that did not load)

function decode(data, depth = 0) {
  const value = decodeValue(data, depth);
  if (data !== null && typeof data === "object" && "id" in data && ["list", "dict", "set", "bytes"].includes(data.$)) {
    if (!Number.isSafeInteger(data.id) || inbound.table.has(data.id)) throw new ChannelClosed("a malformed value", true);
    inbound.table.set(data.id, value);
  }
  return value;
}

function decodeValue(data, depth) {
  if (data === null || typeof data === "boolean" || typeof data === "string" || typeof data === "number") return data;
  if (typeof data !== "object" || Array.isArray(data) || depth > MAX_DEPTH + 2) throw new ChannelClosed("a value that is not of this protocol", true);
  const v = data.v;
  const items = () => {
    if (!Array.isArray(v)) throw new ChannelClosed("a malformed value", true);
    return v.map((x) => decode(x, depth + 1));
  };
  switch (data.$) {
    case "list":
    case "tuple":
    case "namedtuple": {
      const list = items();
      if (data.js !== undefined && TYPED.has(data.js)) {
        try {
          return TYPED.get(data.js).from(list);
        } catch (error) {
          throw new ChannelClosed("a malformed value", true);
        }
      }
      return list;
    }
    case "set":
    case "frozenset":
      return new Set(items());
    case "dict": {
      if (!Array.isArray(v) || !v.every((pair) => Array.isArray(pair) && pair.length === 2)) throw new ChannelClosed("a malformed value", true);
      const pairs = v.map(([k, x]) => [decode(k, depth + 1), decode(x, depth + 1)]);
      if (data.map || !pairs.every(([k]) => typeof k === "string")) return new Map(pairs);
      const object = {};
      // defineProperty, not assignment: a key "__proto__" is data, never the object's prototype
      for (const [k, x] of pairs) {
        // A returned object's own valueOf/toString would decide `==`, `<` and String() in the
        // tests (the JavaScript __eq__): such methods stay the solution's and refuse to run here.
        const value = COERCION_KEYS.has(k) && typeof x === "function" ? refuseCoercion(k) : x;
        Object.defineProperty(object, k, { value, writable: true, enumerable: true, configurable: true });
      }
      return object;
    }
    case "bytes": {
      const bytes = Buffer.from(String(v), "base64");
      if (data.js === "Uint8Array") return new Uint8Array(bytes);
      if (data.js === "ArrayBuffer") return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      return bytes;
    }
    case "float": {
      const table = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
      if (!Object.prototype.hasOwnProperty.call(table, v)) throw new ChannelClosed("a malformed value", true);
      return table[v];
    }
    case "bigint":
      if (typeof v !== "string" || !/^-?\d{1,100000}$/.test(v)) throw new ChannelClosed("a malformed value", true);
      return BigInt(v);
    case "complex":
      return items();
    case "undefined":
      return undefined;
    case "date":
      return new Date(v === null ? NaN : Number(v));
    case "handle": {
      const entry = locals.get(v); // one of the test's functions, coming back
      if (!entry) throw new ChannelClosed("a handle the test never gave out", true);
      return entry.self !== undefined ? entry.self[entry.name] : entry.value;
    }
    case "same":
    case "back": {
      const table = data.$ === "same" ? inbound.table : inbound.origin;
      if (!table.has(v)) throw new ChannelClosed("a malformed value", true);
      return table.get(v);
    }
    case "ref":
      if (!Number.isSafeInteger(v) || v < 0) throw new ChannelClosed("a malformed handle", true);
      return proxyFor(v, String(data.kind), String(data.type || "Object").slice(0, 200), data);
    case "exc":
      return buildError(v);
    default:
      throw new ChannelClosed(`an unknown value tag ${JSON.stringify(String(data.$)).slice(0, 40)}`, true);
  }
}

// --- errors -------------------------------------------------------------------------------------

function describeError(error, state = newState()) {
  const info = { type: "Error", bases: [], message: "", args: [], traceback: "" };
  if (!(isNativeError(error) || error instanceof Error)) {
    info.message = String(error).slice(0, ERROR_TEXT_CAP);
    try {
      info.value = encode(error, state);
    } catch (e) {
      info.value = info.message;
    }
    return info;
  }
  const chain = [];
  for (let proto = Object.getPrototypeOf(error); proto && chain.length < 50; proto = Object.getPrototypeOf(proto)) {
    if (BUILTIN_PROTOS.has(proto)) info.bases.push(BUILTIN_PROTOS.get(proto));
    else if (!info.bases.length) chain.push(typeName(Object.create(proto)));
  }
  info.type = chain[0] || info.bases[0] || "Error";
  if (chain.length) info.chain = chain;
  info.message = String(error.message === undefined ? "" : error.message).slice(0, ERROR_TEXT_CAP);
  if (typeof error.name === "string") info.name = error.name.slice(0, 200);
  info.traceback = cleanStack(error.stack || "", 50).slice(0, ERROR_TEXT_CAP);
  return info;
}

const standIns = new Map(); // "Base>Outer>Inner" -> class
const STAND_INS = new WeakSet();

// The class to rebuild a solution's error with: the built-in of that name, or a stand-in of that name
// under the solution's other classes of the error (stand-ins too) and its nearest built-in base.
function errorClass(type, chain, bases) {
  if (BUILTIN_ERRORS.includes(type)) return globalThis[type];
  const base = bases.find((b) => BUILTIN_ERRORS.includes(b)) || "Error";
  const names = chain.filter((n) => typeof n === "string" && !BUILTIN_ERRORS.includes(n)).slice(0, 20);
  if (names[0] !== type) names.unshift(type);
  let parent = globalThis[base];
  let key = base;
  for (const name of names.reverse()) {
    key += `>${name}`;
    if (!standIns.has(key)) {
      const made = class extends parent {};
      Object.defineProperty(made, "name", { value: name.slice(0, 200) });
      STAND_INS.add(made);
      standIns.set(key, made);
    }
    parent = standIns.get(key);
  }
  return parent;
}

function defineData(object, key, value, enumerable) {
  Object.defineProperty(object, key, { value, writable: true, enumerable, configurable: true });
}

function buildError(info) {
  if (info === null || typeof info !== "object" || Array.isArray(info)) info = {};
  if ("value" in info) return decode(info.value); // something that is not an Error was thrown
  const type = String(info.type || "Error").slice(0, 200);
  const message = String(info.message === undefined ? "" : info.message);
  const cls = errorClass(type, Array.isArray(info.chain) ? info.chain : [], Array.isArray(info.bases) ? info.bases : []);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const error = cls === AggregateError ? new AggregateError([], message) : new cls(message);
  Error.stackTraceLimit = limit;
  if (typeof info.name === "string" && info.name !== error.name) defineData(error, "name", info.name, false);
  for (const pair of Array.isArray(info.props) ? info.props.slice(0, 50) : []) {
    if (Array.isArray(pair) && typeof pair[0] === "string" && pair[0] !== "stack") defineData(error, pair[0], decode(pair[1]), true);
  }
  if ("cause" in info) defineData(error, "cause", decode(info.cause), false);
  const here = cleanStack(error.stack, limit).split("\n").filter((line) => /^\s+at /.test(line));
  const there = String(info.traceback || "").slice(-4000);
  const stack = [`${error.name}: ${message}`, ...here];
  if (there) stack.push("in the solution:", there);
  defineData(error, "stack", stack.join("\n"), false);
  return error;
}

// --- handles ------------------------------------------------------------------------------------

const placeholders = new Map();

// What a handle's target looks like to util.inspect (which never runs a Proxy's traps): the class name.
function placeholderProto(type) {
  if (!placeholders.has(type)) {
    const ctor = function () {};
    Object.defineProperty(ctor, "name", { value: type });
    placeholders.set(type, ctor.prototype);
  }
  return placeholders.get(type);
}

function functionTarget(name, kind) {
  const target = function () {}.bind(null); // constructible, and without an own `prototype` to keep in step
  Object.defineProperty(target, "name", { value: name });
  const shown = kind === "class" ? `[class ${name} (solution)]` : `[Function: ${name} (solution)]`;
  Object.defineProperty(target, util.inspect.custom, { value: () => shown, configurable: true });
  return target;
}

function objectTarget(type) {
  const target = Object.create(placeholderProto(type));
  Object.defineProperty(target, util.inspect.custom, { value: () => `[${type} (solution)]`, configurable: true });
  return target;
}

// A request whose reply is a value (get, set, op).
function value(message, state) {
  const reply = exchange(message, state);
  try {
    if (reply.err !== undefined) throw new Thrown(buildError(reply.err));
    return decode(reply.ok);
  } catch (error) {
    if (error instanceof Thrown) throw error.error;
    throw channelError(error);
  }
}

class Thrown {
  constructor(error) {
    this.error = error;
  }
}

function encodeArgs(args, state = newState()) {
  return args.map((a) => encode(a, state));
}

function op(id, name, args = []) {
  const state = newState();
  return value({ op: "op", obj: id, name, args: encodeArgs(args, state) }, state);
}

// The reply of a call / new / next / await: its value, a settled Promise when the solution's answer
// was a promise, the solution's error thrown; containers the solution changed are copied back.
function outcome(reply, args, isNext = false) {
  try {
    if (args && Array.isArray(reply.after)) {
      for (const item of reply.after) {
        if (!Array.isArray(item) || !Number.isInteger(item[0]) || item[0] < 0 || item[0] >= args.length) continue;
        // in place; later references to it in the reply ("same") mean the test's own object
        const id = item[1] !== null && typeof item[1] === "object" ? item[1].id : undefined;
        if (copyBack(args[item[0]], decode(item[1])) && Number.isSafeInteger(id)) inbound.table.set(id, args[item[0]]);
      }
    }
    if (reply.err !== undefined) {
      const error = buildError(reply.err);
      if (reply.async) return Promise.reject(error);
      throw new Thrown(error);
    }
    let result;
    if (!isNext) result = decode(reply.ok);
    else if (reply.stop) result = { value: reply.value === undefined ? undefined : decode(reply.value), done: true };
    else result = { value: decode(reply.ok), done: false };
    return reply.async ? Promise.resolve(result) : result;
  } catch (error) {
    if (error instanceof Thrown) throw error.error;
    throw channelError(error);
  }
}

function copyBack(original, now) {
  try {
    if (Array.isArray(original) && Array.isArray(now)) {
      original.length = 0;
      for (const item of now) original.push(item);
    } else if (isMap(original) && isMap(now)) {
      original.clear();
      for (const [k, v] of now) original.set(k, v);
    } else if (isSet(original) && isSet(now)) {
      original.clear();
      for (const item of now) original.add(item);
    } else if (isUint8Array(original) && isUint8Array(now)) {
      if (original.length !== now.length) return false;
      original.set(now);
    } else if (original !== null && typeof original === "object" && isPlain(original) && now !== null && typeof now === "object" && isPlain(now)) {
      for (const key of Object.keys(original)) delete original[key];
      for (const key of Object.keys(now)) defineData(original, key, now[key], true);
    } else {
      return false;
    }
    return true;
  } catch (error) {
    return false; // a frozen or exotic argument keeps its old contents
  }
}

function call(id, args, self) {
  const state = newState();
  const message = { op: "call", obj: id, name: null, args: encodeArgs(args, state), kwargs: [] };
  if (self !== undefined && self !== null && self !== globalThis) {
    try {
      message.this = encode(self, state);
    } catch (error) {
      // a receiver that cannot cross: the solution's function runs without one
    }
  }
  return outcome(exchange(message, state), args);
}

function construct(id, args) {
  const state = newState();
  const result = outcome(exchange({ op: "new", obj: id, args: encodeArgs(args, state) }, state), args);
  if (result === null || (typeof result !== "object" && typeof result !== "function")) throw new TypeError("the solution's constructor gave no object");
  return result;
}

function hasInstance(classId, className, candidate) {
  if (candidate === null || (typeof candidate !== "object" && typeof candidate !== "function")) return false;
  if (handleOf.has(candidate)) return op(handleOf.get(candidate), "instanceof", [proxies.get(classId)]) === true;
  // An error of the solution rebuilt here: its stand-in classes carry the solution's class names.
  for (let proto = Object.getPrototypeOf(candidate); proto; proto = Object.getPrototypeOf(proto)) {
    const ctor = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (ctor && STAND_INS.has(ctor.value) && ctor.value.name === className) return true;
  }
  return false;
}

function isPrimitive(x) {
  return x === null || (typeof x !== "object" && typeof x !== "function");
}

function handleTraps(id, kind, type, iterable) {
  let nextFn = null;
  const traps = {
    get(target, key) {
      if (typeof key === "symbol") return symbolProperty(target, key);
      if (kind === "iterator" && key === "next") {
        nextFn = nextFn || makeNext(id);
        return nextFn;
      }
      return value({ op: "get", obj: id, name: key });
    },
    set(target, key, v) {
      if (typeof key === "symbol") return Reflect.set(target, key, v);
      const state = newState();
      value({ op: "set", obj: id, name: key, value: encode(v, state) }, state);
      return true;
    },
    has(target, key) {
      if (typeof key === "symbol") return symbolProperty(target, key) !== undefined;
      return op(id, "has", [key]) === true;
    },
    deleteProperty(target, key) {
      if (typeof key === "symbol") return Reflect.deleteProperty(target, key);
      return op(id, "deleteProperty", [key]) === true;
    },
    ownKeys() {
      const keys = op(id, "ownKeys");
      return Array.isArray(keys) ? [...new Set(keys.filter((k) => typeof k === "string"))] : [];
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === "symbol") return Reflect.getOwnPropertyDescriptor(target, key);
      const found = op(id, "getOwnPropertyDescriptor", [key]);
      if (!Array.isArray(found)) return undefined;
      return { value: found[1], writable: true, enumerable: Boolean(found[0]), configurable: true };
    },
    defineProperty(target, key, desc) {
      if (typeof key === "symbol") return Reflect.defineProperty(target, key, desc);
      if (!("value" in desc)) throw new TypeError("accessors cannot be defined on the solution's objects");
      const state = newState();
      value({ op: "set", obj: id, name: key, value: encode(desc.value, state) }, state);
      return true;
    },
    setPrototypeOf() {
      return false;
    },
    preventExtensions() {
      return false; // a frozen handle would have to mirror the solution's object here
    },
    apply(target, self, args) {
      return call(id, args, self);
    },
    construct(target, args) {
      return construct(id, args);
    },
  };
  function symbolProperty(target, key) {
    if (key === Symbol.iterator) {
      if (kind === "iterator" && iterable !== "async") return () => proxies.get(id);
      if (kind !== "iterator" && iterable === "sync") return () => op(id, "__iter__");
      return undefined;
    }
    if (key === Symbol.asyncIterator) {
      if (kind === "iterator" && iterable === "async") return () => proxies.get(id);
      if (kind !== "iterator" && iterable === "async") return () => op(id, "__aiter__");
      return undefined;
    }
    if (key === Symbol.toPrimitive) {
      return (hint) => {
        // Only an explicit String(x) or `${x}` asks the solution how its object reads. `==`, `<`,
        // arithmetic and Number(x) (hints "default" and "number") never reach it: otherwise a
        // valueOf() returning the expected answer would satisfy assert.equal (the JavaScript
        // __eq__), so they see a local description that equals no number and no answer.
        if (hint !== "string") return hint === "number" ? NaN : `[${type} of the solution]`;
        const result = op(id, "toPrimitive", [hint]);
        if (!isPrimitive(result)) throw new TypeError("Cannot convert object to primitive value");
        return result;
      };
    }
    if (key === Symbol.hasInstance && (kind === "function" || kind === "class")) return (x) => hasInstance(id, type, x);
    return Reflect.get(target, key);
  }
  return traps;
}

function makeNext(id) {
  return function next(...args) {
    const message = { op: "next", obj: id };
    const state = newState();
    if (args.length) message.args = encodeArgs(args, state);
    return outcome(exchange(message, state), null, true);
  };
}

// A promise of the solution's inside a value (`[p1, p2]`): awaiting it asks the server to await it.
function remotePromise(id) {
  let settled = null;
  const settle = () => {
    if (settled === null) {
      try {
        settled = Promise.resolve(outcome(exchange({ op: "await", obj: id }), null));
      } catch (error) {
        settled = Promise.reject(error);
      }
    }
    return settled;
  };
  return {
    then: (onFulfilled, onRejected) => settle().then(onFulfilled, onRejected),
    catch: (onRejected) => settle().catch(onRejected),
    finally: (onFinally) => settle().finally(onFinally),
    [Symbol.toStringTag]: "Promise",
    [util.inspect.custom]: () => "[Promise (solution)]",
  };
}

// A class of errors of the solution: its parent here is the stand-in (or built-in) class its errors are
// rebuilt under, so `Error.isPrototypeOf(solution.ValidationError)` holds as it would in-process.
function errorLineage(kind, data) {
  if (kind !== "class" || !Array.isArray(data.bases) || !data.bases.length) return null;
  const bases = data.bases.map(String);
  const chain = Array.isArray(data.chain) ? data.chain.filter((n) => typeof n === "string") : [];
  return chain.length ? errorClass(chain[0], chain.slice(1), bases) : errorClass(bases[0], [], bases);
}

function proxyFor(id, kind, type, data) {
  if (proxies.has(id)) return proxies.get(id);
  let made;
  if (kind === "coroutine") {
    made = remotePromise(id);
  } else {
    const callable = kind === "function" || kind === "class";
    const target = callable ? functionTarget(type, kind) : objectTarget(type);
    const traps = handleTraps(id, callable ? kind : kind === "iterator" ? "iterator" : "object", type, data.iterable);
    const lineage = errorLineage(kind, data);
    if (lineage) traps.getPrototypeOf = () => lineage;
    made = new Proxy(target, traps);
  }
  proxies.set(id, made);
  handleOf.set(made, id);
  return made;
}

// --- the module ---------------------------------------------------------------------------------

// What `require('./solution')` gives when nothing may cross (collection) or nothing can (the solution
// did not load, did not answer, ended): names resolve to stand-ins that throw on any real use, so a
// test file that destructures the module at its top still loads and each test fails on its own.
function deadModule() {
  const members = new Map();
  const make = (name, isRoot) => {
    const target = functionTarget(name, "function");
    const proxy = new Proxy(target, {
      get(t, key) {
        if (typeof key === "symbol") return key === Symbol.toPrimitive ? () => refuse() : Reflect.get(t, key);
        if (key === "then" || key === "__esModule") return undefined; // not a promise, not transpiled ESM
        if (!isRoot) refuse();
        if (!members.has(key)) members.set(key, make(key, false));
        return members.get(key);
      },
      set: () => refuse(),
      has: () => refuse(),
      deleteProperty: () => refuse(),
      ownKeys: () => refuse(),
      getOwnPropertyDescriptor: (t, key) => (typeof key === "symbol" ? Reflect.getOwnPropertyDescriptor(t, key) : refuse()),
      defineProperty: () => refuse(),
      apply: () => refuse(),
      construct: () => refuse(),
    });
    dead.add(proxy);
    return proxy;
  };
  return make("solution", true);
}

function liveModule() {
  const hello = channel.hello;
  const kind = hello.kind === "function" || hello.kind === "class" ? hello.kind : "object";
  const type = String(hello.type || "Object").slice(0, 200);
  // The module's functions come with the greeting: `solution.add(1, 2)` is one round trip. A name the
  // test sets, redefines or deletes (t.mock.method(solution, 'add')) is asked of the solution again.
  const functions = new Map();
  const traps = handleTraps(0, kind, type, undefined);
  const { get, set, defineProperty, deleteProperty } = traps;
  traps.get = (target, key) => (typeof key === "string" && functions.has(key) ? functions.get(key) : get(target, key));
  const forgetting = (trap) => (target, key, ...rest) => {
    functions.delete(key);
    return trap(target, key, ...rest);
  };
  traps.set = forgetting(set);
  traps.defineProperty = forgetting(defineProperty);
  traps.deleteProperty = forgetting(deleteProperty);
  const lineage = errorLineage(kind, hello);
  if (lineage) traps.getPrototypeOf = () => lineage;
  const root = new Proxy(kind === "object" ? objectTarget(type) : functionTarget(type, kind), traps);
  proxies.set(0, root);
  handleOf.set(root, 0);
  if (hello.exports !== null && typeof hello.exports === "object") {
    for (const [name, data] of Object.entries(hello.exports)) functions.set(name, decode(data));
  }
  return root;
}

function solutionModule() {
  if (MODE === "collect") return deadModule();
  try {
    connect();
    return liveModule();
  } catch (error) {
    if (channel.failure === null) channel.failure = `${MALFORMED}: ${error && error.message}`;
    return deadModule();
  }
}

module.exports = solutionModule();
