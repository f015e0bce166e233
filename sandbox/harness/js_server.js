// The solution server for JavaScript (PROTOCOL.md): loads the solution under the solution's uid and
// answers the judge's requests. Started by the supervisor as
//   node /tmp/harness/js_server.js /work/solution/solution.js
// with fd 3 = requests from the judge (the `call` FIFO), fd 4 = our replies (`answer`), stdin
// /dev/null, stdout/stderr the solution's own output. Stdlib only.
//
// Everything here runs beside the model's code and may be rewritten by it: nothing it says is trusted
// beyond being the solution's answer. The judge (js_proxy.js) decodes what we send into built-in
// values only; what is not plain data stays here and crosses as a handle.
//
// Reading requests blocks the whole process (fs.readSync), so the solution's timers run only while a
// promise it returned is being awaited, and for one turn of the event loop after each reply.
//
// JavaScript additions to PROTOCOL.md, understood by js_proxy.js (a Python peer never sees them):
//   hello:   "kind" ("object" | "function" | "class") and "type" of module.exports, "exports":
//            {name: ref} for its own data properties that are functions (so `solution.add(1, 2)` is one
//            round trip), and for a class of errors "chain" and "bases" as on a class ref.
//   values:  {"$": "handle", "v": id}      a handle the receiver gave out, coming back (a solution
//                                          object passed to another solution function, a test's
//                                          callback returned to it);
//            {"$": "dict", "map": true}    a Map (a plain object otherwise);
//            {"$": "date", "v": ms | null} a Date (null: an invalid one);
//            "js": "<constructor>"         on "bytes"/"list": a Uint8Array, ArrayBuffer or typed array;
//            "iterable": "sync" | "async"  on an object ref that has Symbol.iterator / asyncIterator;
//            "chain", "bases"              on a class ref deriving from a built-in error (as in E).
//   call:    "this": V (the receiver when `name` is null); next: "args": [V] (gen.next(v)).
//   op:      names for handles: __iter__, __aiter__, toPrimitive [hint], ownKeys,
//            getOwnPropertyDescriptor [key], has [key], deleteProperty [key], instanceof [class].
//   replies: "async": true on {"err": E} too (a rejected promise).
//   E:       "name" (error.name), "chain" (the error's classes that are not built in, nearest first),
//            "props" ([[key, V]]: own enumerable properties such as `code`), "cause": V, and
//            "value": V instead of an error when something that is not an Error was thrown.
"use strict";

const fs = require("fs");
const util = require("util");

// The built-ins this file relies on, taken before the solution runs: a solution may change them for its
// own code (`Object.is = () => true`, `globalThis.Error = ...`, a polyfill) without changing how its
// answers cross. The names shadow the globals in this module; statics and prototype methods are copied.
// (Array and String prototype methods are still looked up when used: a solution that breaks those
// breaks its own answers.)
const { Object, Reflect, Array, Number, String, BigInt, Symbol, JSON, Promise, Map, WeakMap, Set, Date, Buffer, Atomics } = globalThis;
const { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError } = globalThis;
const { readSync, writeSync } = fs;
const { isPromise, isMap, isSet, isDate, isNativeError, isTypedArray, isUint8Array, isAnyArrayBuffer } = util.types;
const { apply: reflectApply, construct: reflectConstruct, set: reflectSet, ownKeys: reflectOwnKeys } = Reflect;
const { getOwnPropertyDescriptor: reflectDescriptor, deleteProperty: reflectDelete } = Reflect;
const uncurry = (method) => (self, ...args) => reflectApply(method, self, args);
const { is: objectIs, getPrototypeOf, getOwnPropertyDescriptor, keys: objectKeys, defineProperty, assign: objectAssign } = Object;
const hasOwn = uncurry(Object.prototype.hasOwnProperty);
const ObjectPrototype = Object.prototype;
const { isArray, from: arrayFrom } = Array;
const numberIsNaN = Number.isNaN;
const { stringify: jsonStringify, parse: jsonParse } = JSON;
const promiseResolve = Promise.resolve.bind(Promise);
const promiseReject = Promise.reject.bind(Promise);
const promiseThen = uncurry(Promise.prototype.then);
const [mapGet, mapSet, mapHas, mapDelete, mapEntries] = ["get", "set", "has", "delete", "entries"].map((m) => uncurry(Map.prototype[m]));
const [weakGet, weakSet, weakHas] = ["get", "set", "has"].map((m) => uncurry(WeakMap.prototype[m]));
const setValues = uncurry(Set.prototype.values);
const dateTime = uncurry(Date.prototype.getTime);
const functionToString = uncurry(Function.prototype.toString);
const stringSlice = uncurry(String.prototype.slice);
const { from: bufferFrom, isBuffer: bufferIsBuffer, allocUnsafe: bufferAlloc } = Buffer;
const atomicsWait = Atomics.wait;
const setImmediateRef = setImmediate;

// Tables of our own, which no change to Map.prototype reaches.
class Table {
  constructor() {
    this.map = new Map();
  }
  get(key) {
    return mapGet(this.map, key);
  }
  set(key, value) {
    mapSet(this.map, key, value);
    return this;
  }
  has(key) {
    return mapHas(this.map, key);
  }
  delete(key) {
    return mapDelete(this.map, key);
  }
}

class WeakTable {
  constructor() {
    this.map = new WeakMap();
  }
  get(key) {
    return weakGet(this.map, key);
  }
  set(key, value) {
    weakSet(this.map, key, value);
    return this;
  }
  has(key) {
    return weakHas(this.map, key);
  }
}

function tableOf(pairs) {
  const table = new Table();
  for (let i = 0; i < pairs.length; i++) table.set(pairs[i][0], pairs[i][1]);
  return table;
}

const CALL_FD = 3;
const ANSWER_FD = 4;
const FRAME_CAP = Number(process.env.SANDBOX_FRAME_CAP) || 16 << 20;
const MAX_DEPTH = 100;
const MAX_NODES = 4 << 20; // values in one frame: a larger one could never fit under the cap anyway
const ERROR_TEXT_CAP = 8000;
const BUILTIN_ERRORS = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError"];
const ERRORS = tableOf([Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError].map((c) => [c.name, c]));
const BUILTIN_PROTOS = tableOf(BUILTIN_ERRORS.map((name) => [ERRORS.get(name).prototype, name]));
const TYPED = tableOf(
  ["Int8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"].map((n) => [n, globalThis[n]])
);
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

class ChannelClosed extends Error {}

// --- frames -------------------------------------------------------------------------------------

function pause(ms) {
  atomicsWait(SLEEPER, 0, 0, ms);
}

function readExact(n) {
  const out = bufferAlloc(n);
  let got = 0;
  while (got < n) {
    let count;
    try {
      count = readSync(CALL_FD, out, got, n - got, null);
    } catch (error) {
      if (error.code === "EAGAIN" || error.code === "EINTR") {
        pause(1); // only if the descriptor was handed to us non-blocking
        continue;
      }
      throw new ChannelClosed(String(error.message));
    }
    if (count === 0) throw new ChannelClosed("end of the channel");
    got += count;
  }
  return out;
}

function receive() {
  const size = readExact(4).readUInt32BE(0);
  if (size > FRAME_CAP) throw new ChannelClosed(`a frame of ${size} bytes is over the limit`);
  let message;
  try {
    message = jsonParse(readExact(size).toString("utf8"));
  } catch (error) {
    if (error instanceof ChannelClosed) throw error;
    throw new ChannelClosed("a frame that is not JSON");
  }
  if (message === null || typeof message !== "object" || isArray(message)) throw new ChannelClosed("a frame that is not an object");
  return message;
}

function send(message) {
  const body = bufferFrom(jsonStringify(message), "utf8");
  if (body.length > FRAME_CAP) throw new RangeError(`the value is too large to cross to the other side (${body.length} bytes)`);
  const frame = bufferAlloc(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  let done = 0;
  while (done < frame.length) {
    try {
      done += writeSync(ANSWER_FD, frame, done, frame.length - done);
    } catch (error) {
      if (error.code !== "EAGAIN" && error.code !== "EINTR") throw new ChannelClosed(String(error.message));
      pause(1);
    }
  }
}

// A reply that cannot be sent (too large, a string over V8's limit) becomes the error saying so.
function sendReply(reply) {
  try {
    send(reply);
  } catch (error) {
    if (error instanceof ChannelClosed) throw error;
    const fallback = { err: describeError(error) };
    if (reply.async) fallback.async = true;
    send(fallback);
  }
}

// --- handles ------------------------------------------------------------------------------------

const exported = new Table(); // handle id -> the solution's object that the judge may use
const exportIds = new Table(); // and back
let nextId = 1;

function exportValue(value) {
  let id = exportIds.get(value);
  if (id === undefined) {
    id = nextId++;
    exported.set(id, value);
    exportIds.set(value, id);
  }
  return id;
}

function lookup(id) {
  const key = Number(id);
  if (!exported.has(key)) throw new ReferenceError(`the solution has no object with handle ${String(id).slice(0, 40)}`);
  return exported.get(key);
}

// The judge's functions (its tests' callbacks) and iterators, as the solution sees them.
const remotes = new Table(); // judge's handle id -> our stand-in
const remoteIds = new WeakTable(); // and back: a stand-in crossing again goes home as a handle
// Set while a request is served inside a wait for the judge: nothing can be awaited then.
let nestedDepth = 0;

function remote(id, kind, type) {
  if (remotes.has(id)) return remotes.get(id);
  let standIn;
  if (kind === "iterator") {
    standIn = {
      next(...args) {
        const message = { op: "next", obj: id };
        const state = newState();
        if (args.length) message.args = args.map((a) => encode(a, state));
        const reply = request(message, state);
        if (reply.stop) return { value: decode(reply.value), done: true };
        return { value: answerOf(reply), done: false };
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  } else if (kind === "coroutine") {
    // A promise of the test's: the test cannot run it while it waits for us, so awaiting it fails.
    standIn = {
      then(onFulfilled, onRejected) {
        const error = new TypeError(
          "a function the test passed to the solution returned a promise; the solution runs in another " +
            "process and cannot wait for the test's promises (pass a synchronous function)"
        );
        return promiseThen(promiseReject(error), onFulfilled, onRejected);
      },
    };
  } else {
    standIn = function (...args) {
      const state = newState();
      const message = { op: "call", obj: id, name: null, args: args.map((a) => encode(a, state)), kwargs: [] };
      return answerOf(request(message, state));
    };
    try {
      defineProperty(standIn, "name", { value: String(type || "callback").slice(0, 200) });
    } catch (error) {
      // keep the default name
    }
  }
  remotes.set(id, standIn);
  remoteIds.set(standIn, id);
  return standIn;
}

// Send a request to the judge and serve its requests until the reply comes (PROTOCOL.md "Channel").
function request(message, state) {
  send(message);
  for (;;) {
    const frame = receive(); // ChannelClosed: the judge is gone; the solution's call throws
    if (typeof frame.op !== "string") {
      inbound = { table: new Table(), origin: state ? state.byId : new Table() };
      return frame;
    }
    nestedDepth++;
    try {
      sendReply(serve(frame));
    } finally {
      nestedDepth--;
    }
  }
}

function answerOf(reply) {
  if (reply.err !== undefined) throw buildError(reply.err);
  return decode(reply.ok);
}

// --- values -------------------------------------------------------------------------------------

function isPlain(value) {
  const proto = getPrototypeOf(value);
  return proto === ObjectPrototype || proto === null;
}

function isClass(fn) {
  try {
    const text = functionToString(fn);
    return stringSlice(text, 0, 5) === "class" && (text[5] === " " || text[5] === "{" || text[5] === "\n");
  } catch (error) {
    return false;
  }
}

function typeName(value) {
  try {
    if (typeof value === "function") return String(value.name || "anonymous").slice(0, 200);
    for (let proto = getPrototypeOf(value); proto; proto = getPrototypeOf(proto)) {
      const ctor = getOwnPropertyDescriptor(proto, "constructor");
      if (ctor && typeof ctor.value === "function" && ctor.value.name) return String(ctor.value.name).slice(0, 200);
    }
  } catch (error) {
    // a hostile prototype chain: fall through
  }
  return "Object";
}

// For a class deriving from a built-in error: its other ancestors and its built-in bases, so the judge's
// handle of it derives from Error too (node's assert.throws(fn, Class) checks Error.isPrototypeOf(Class)).
function errorLineage(cls) {
  const chain = [];
  const bases = [];
  try {
    for (let parent = getPrototypeOf(cls); typeof parent === "function" && chain.length < 50; parent = getPrototypeOf(parent)) {
      const builtin = BUILTIN_ERRORS.find((name) => ERRORS.get(name) === parent);
      if (builtin) bases.push(builtin);
      else if (!bases.length) chain.push(String(parent.name || "anonymous").slice(0, 200));
    }
  } catch (error) {
    return {};
  }
  return bases.length ? { chain, bases } : {};
}

function numberOf(value) {
  if (numberIsNaN(value)) return { $: "float", v: "nan" };
  if (value === Infinity) return { $: "float", v: "inf" };
  if (value === -Infinity) return { $: "float", v: "-inf" };
  if (objectIs(value, -0)) return { $: "float", v: "-0" };
  return value;
}

function ref(value, kind, extra) {
  return { $: "ref", v: exportValue(value), kind, type: typeName(value), ...extra };
}

// One message's state (PROTOCOL.md "Identity"): containers by id; `back` (replies only) the objects of
// the request being answered, by their ids there.
function newState(back = null) {
  return { depth: 0, path: new Table(), nodes: 0, ids: new Table(), count: 0, byId: new Table(), back };
}

function replyState(table) {
  const back = new Table();
  for (const [n, o] of mapEntries(table.map)) back.set(o, n);
  return newState(back);
}

function isContainer(value) {
  return isArray(value) || isMap(value) || isSet(value) || isTypedArray(value) || isPlain(value);
}

let inbound = { table: new Table(), origin: new Table() };
const ID_TAGS = ["list", "dict", "set", "bytes"];

function encode(value, state = newState()) {
  if (++state.nodes > MAX_NODES) throw new RangeError("the value is too large to cross to the other side");
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
      return ref(value, "object");
    case "function":
      if (remoteIds.has(value)) return { $: "handle", v: remoteIds.get(value) };
      return isClass(value) ? ref(value, "class", errorLineage(value)) : ref(value, "function");
    default:
      break;
  }
  if (value === null) return null;
  if (remoteIds.has(value)) return { $: "handle", v: remoteIds.get(value) };
  if (state.depth >= MAX_DEPTH) throw new RangeError("the value is nested too deeply to cross");
  if (state.path.has(value)) throw new TypeError("a value that contains itself cannot cross");
  const container = isContainer(value);
  if (container) {
    if (state.ids.has(value)) return { $: "same", v: state.ids.get(value) };
    if (state.back && state.back.has(value)) return { $: "back", v: state.back.get(value) };
  }
  state.path.set(value, true);
  state.depth++;
  try {
    if (!container) return encodeObject(value, state);
    const n = state.count++;
    state.ids.set(value, n);
    state.byId.set(n, value);
    const encoded = encodeObject(value, state);
    if (ID_TAGS.includes(encoded.$)) encoded.id = n;
    return encoded;
  } finally {
    state.depth--;
    state.path.delete(value);
  }
}

function encodeObject(value, state) {
  const inner = (v) => encode(v, state);
  if (isArray(value)) {
    const items = [];
    for (let i = 0; i < value.length; i++) items.push(inner(value[i]));
    return { $: "list", v: items };
  }
  if (isMap(value)) return { $: "dict", map: true, v: arrayFrom(mapEntries(value), ([k, v]) => [inner(k), inner(v)]) };
  if (isSet(value)) return { $: "set", v: arrayFrom(setValues(value), inner) };
  if (isUint8Array(value)) {
    const bytes = bufferFrom(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    return bufferIsBuffer(value) ? { $: "bytes", v: bytes } : { $: "bytes", v: bytes, js: "Uint8Array" };
  }
  if (isAnyArrayBuffer(value)) return { $: "bytes", v: bufferFrom(value).toString("base64"), js: "ArrayBuffer" };
  if (isTypedArray(value)) {
    const name = typeName(value);
    if (TYPED.has(name)) return { $: "list", v: arrayFrom(value, inner), js: name };
  }
  if (isDate(value)) {
    const time = dateTime(value);
    return { $: "date", v: numberIsNaN(time) ? null : time };
  }
  if (isNativeError(value) || value instanceof Error) return { $: "exc", v: describeError(value, state) };
  if (isPromise(value)) return ref(value, "coroutine");
  if (isPlain(value)) {
    const items = [];
    for (const key of objectKeys(value)) items.push([key, inner(value[key])]);
    return { $: "dict", v: items };
  }
  let iterable;
  try {
    if (typeof value[Symbol.asyncIterator] === "function") iterable = "async";
    else if (typeof value[Symbol.iterator] === "function") iterable = "sync";
    if (iterable && typeof value.next === "function") return ref(value, "iterator", { iterable });
  } catch (error) {
    iterable = undefined;
  }
  return ref(value, "object", iterable ? { iterable } : {});
}

function decode(data, depth = 0) {
  const value = decodeValue(data, depth);
  if (data !== null && typeof data === "object" && "id" in data && ID_TAGS.includes(data.$)) {
    if (!Number.isSafeInteger(data.id) || inbound.table.has(data.id)) throw new ChannelClosed("a malformed value");
    inbound.table.set(data.id, value);
  }
  return value;
}

function decodeValue(data, depth) {
  if (data === null || typeof data === "boolean" || typeof data === "string" || typeof data === "number") return data;
  if (typeof data !== "object" || isArray(data) || depth > MAX_DEPTH + 2) throw new ChannelClosed("a value that is not of this protocol");
  const v = data.v;
  const items = () => {
    if (!isArray(v)) throw new ChannelClosed("a malformed value");
    return v.map((x) => decode(x, depth + 1));
  };
  switch (data.$) {
    case "list":
    case "tuple":
    case "namedtuple": {
      const list = items();
      if (data.js !== undefined && TYPED.has(data.js)) return TYPED.get(data.js).from(list);
      return list;
    }
    case "set":
    case "frozenset":
      return new Set(items());
    case "dict": {
      if (!isArray(v) || !v.every((pair) => isArray(pair) && pair.length === 2)) throw new ChannelClosed("a malformed value");
      const pairs = v.map(([k, x]) => [decode(k, depth + 1), decode(x, depth + 1)]);
      if (data.map || !pairs.every(([k]) => typeof k === "string")) return new Map(pairs);
      const object = {};
      for (const [k, x] of pairs) defineProperty(object, k, { value: x, writable: true, enumerable: true, configurable: true });
      return object;
    }
    case "bytes": {
      const bytes = bufferFrom(String(v), "base64");
      if (data.js === "Uint8Array") return new Uint8Array(bytes);
      if (data.js === "ArrayBuffer") return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      return bytes;
    }
    case "float": {
      const table = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
      if (!(v in table)) throw new ChannelClosed("a malformed value");
      return table[v];
    }
    case "bigint":
      try {
        return BigInt(String(v));
      } catch (error) {
        throw new ChannelClosed("a malformed value");
      }
    case "complex":
      return items();
    case "undefined":
      return undefined;
    case "date":
      return new Date(v === null ? NaN : Number(v));
    case "handle":
      return lookup(v);
    case "same":
    case "back": {
      const table = data.$ === "same" ? inbound.table : inbound.origin;
      if (!table.has(v)) throw new ChannelClosed("a malformed value");
      return table.get(v);
    }
    case "ref":
      return remote(Number(v), String(data.kind || "function"), String(data.type || ""));
    case "exc":
      return buildError(v);
    default:
      throw new ChannelClosed(`an unknown value tag ${jsonStringify(String(data.$)).slice(0, 40)}`);
  }
}

// --- errors -------------------------------------------------------------------------------------

// Frames of this file say nothing about the solution.
function cleanStack(text) {
  return String(text)
    .split("\n")
    .filter((line) => !line.includes(__filename) && !/^\s+at .*\(?node:internal/.test(line))
    .join("\n");
}

function describeError(error, state = newState()) {
  const info = { type: "Error", bases: [], message: "", args: [], traceback: "" };
  if (!(isNativeError(error) || error instanceof Error)) {
    // `throw "text"`, `throw 42`, a rejection with a plain object: the judge throws the value itself.
    try {
      info.message = String(error).slice(0, ERROR_TEXT_CAP);
    } catch (e) {
      info.message = "<unprintable>";
    }
    try {
      info.value = encode(error, state);
    } catch (e) {
      info.value = info.message;
    }
    return info;
  }
  const chain = [];
  try {
    for (let proto = getPrototypeOf(error); proto && chain.length < 50; proto = getPrototypeOf(proto)) {
      if (BUILTIN_PROTOS.has(proto)) {
        info.bases.push(BUILTIN_PROTOS.get(proto));
        continue;
      }
      const ctor = getOwnPropertyDescriptor(proto, "constructor");
      if (ctor && typeof ctor.value === "function" && ctor.value.name && !info.bases.length) chain.push(String(ctor.value.name).slice(0, 200));
    }
  } catch (e) {
    // keep what was found
  }
  info.type = chain[0] || info.bases[0] || "Error";
  if (chain.length) info.chain = chain;
  try {
    info.message = String(error.message === undefined ? "" : error.message).slice(0, ERROR_TEXT_CAP);
  } catch (e) {
    info.message = "<unprintable>";
  }
  try {
    if (typeof error.name === "string") info.name = error.name.slice(0, 200);
  } catch (e) {
    // no name
  }
  try {
    info.traceback = cleanStack(error.stack || "").slice(0, ERROR_TEXT_CAP);
  } catch (e) {
    info.traceback = "";
  }
  try {
    const props = [];
    for (const key of objectKeys(error).slice(0, 50)) {
      if (key === "stack" || key === "message") continue;
      try {
        props.push([key, encode(error[key], state)]);
      } catch (e) {
        // a property that cannot cross stays here
      }
    }
    if (props.length) info.props = props;
    if (hasOwn(error, "cause")) info.cause = encode(error.cause, state);
  } catch (e) {
    // no extra properties
  }
  return info;
}

const standIns = new Table();

// The judge's errors (from its callbacks) as the solution sees them: built-ins, or classes of that name.
function buildError(info) {
  if (info === null || typeof info !== "object") info = {};
  if ("value" in info) return decode(info.value);
  const type = String(info.type || "Error");
  const message = String(info.message === undefined ? "" : info.message);
  let cls = ERRORS.has(type) ? ERRORS.get(type) : null;
  if (!cls) {
    const base = (isArray(info.bases) ? info.bases : []).find((b) => BUILTIN_ERRORS.includes(b)) || "Error";
    const key = `${base}>${type}`;
    if (!standIns.has(key)) {
      const made = class extends ERRORS.get(base) {};
      defineProperty(made, "name", { value: type.slice(0, 200) });
      standIns.set(key, made);
    }
    cls = standIns.get(key);
  }
  const error = cls === AggregateError ? new AggregateError([], message) : new cls(message);
  if (info.traceback) error.stack = `${error.stack}\nin the test:\n${String(info.traceback).slice(-4000)}`;
  return error;
}

// --- requests -----------------------------------------------------------------------------------

function toPrimitive(value, hint) {
  const isPrimitive = (x) => x === null || (typeof x !== "object" && typeof x !== "function");
  if (isPrimitive(value)) return value;
  const exotic = value[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    const result = reflectApply(exotic, value, [hint]);
    if (isPrimitive(result)) return result;
    throw new TypeError("Cannot convert object to primitive value");
  }
  for (const name of hint === "string" ? ["toString", "valueOf"] : ["valueOf", "toString"]) {
    const method = value[name];
    if (typeof method === "function") {
      const result = reflectApply(method, value, []);
      if (isPrimitive(result)) return result;
    }
  }
  throw new TypeError("Cannot convert object to primitive value");
}

const OPERATIONS = {
  __iter__: (obj) => obj[Symbol.iterator](),
  __aiter__: (obj) => obj[Symbol.asyncIterator](),
  toPrimitive: (obj, hint) => toPrimitive(obj, String(hint)),
  ownKeys: (obj) => reflectOwnKeys(Object(obj)).filter((k) => typeof k === "string"),
  getOwnPropertyDescriptor: (obj, key) => {
    const desc = reflectDescriptor(Object(obj), String(key));
    if (desc === undefined) return undefined;
    return [Boolean(desc.enumerable), "value" in desc ? desc.value : obj[String(key)]];
  },
  has: (obj, key) => String(key) in Object(obj),
  deleteProperty: (obj, key) => reflectDelete(Object(obj), String(key)),
  instanceof: (obj, cls) => obj instanceof cls,
};

function isMutable(value) {
  return value !== null && typeof value === "object" && (isArray(value) || isMap(value) || isSet(value) || isUint8Array(value) || isPlain(value));
}

function snapshot(value) {
  try {
    return jsonStringify(encode(value));
  } catch (error) {
    return null;
  }
}

// Containers the call changed, for the judge to copy into the test's own objects (PROTOCOL.md "after").
// The changed arguments are encoded first, as full copies (no "back"), then the reply's value, so a
// container it shares with them is "same" there and the judge's own object once copied back.
function withAfter(table, args, before, build) {
  const changed = [];
  args.forEach((arg, index) => {
    if (before[index] === undefined || before[index] === null) return;
    const now = snapshot(arg);
    if (now !== null && now !== before[index]) changed.push(index);
  });
  const state = newState();
  const after = changed.map((index) => [index, encode(args[index], state)]);
  state.back = replyState(table).back;
  const reply = build(state);
  if (after.length) reply.after = after;
  return reply;
}

// A request whose answer is a promise: the main loop awaits it with the event loop running.
class Pending {
  constructor(promise, fulfilled, rejected) {
    this.promise = promise;
    this.fulfilled = fulfilled;
    this.rejected = rejected;
  }
}

const NESTED_AWAIT =
  "the solution's promise cannot be awaited here: the solution is itself waiting for a function of the test";

// One request -> its reply, or a Pending when the answer is a promise to await first.
function serve(request) {
  const table = new Table();
  inbound = { table, origin: new Table() };
  try {
    return perform(request, table);
  } catch (error) {
    return { err: describeError(error) };
  }
}

function perform(request, table) {
  const reply = () => replyState(table);
  const op = request.op;
  const target = lookup(request.obj);
  const name = request.name === null || request.name === undefined ? null : String(request.name);
  const args = isArray(request.args) ? request.args.map((a) => decode(a)) : [];
  switch (op) {
    case "get":
      return { ok: encode(Object(target)[name], reply()) };
    case "set":
      if (!reflectSet(Object(target), name, decode(request.value))) throw new TypeError(`Cannot assign to read only property '${name}' of the solution's ${typeName(target)}`);
      return { ok: null };
    case "call":
    case "new": {
      const before = args.map((arg) => (isMutable(arg) ? snapshot(arg) : undefined));
      let result;
      try {
        if (op === "new") {
          result = reflectConstruct(target, args);
        } else {
          const fn = name === null ? target : Object(target)[name];
          if (typeof fn !== "function") throw new TypeError(`${name === null ? typeName(target) : name} is not a function`);
          const self = name !== null ? target : "this" in request ? decode(request.this) : undefined;
          result = reflectApply(fn, self, args);
        }
      } catch (error) {
        return withAfter(table, args, before, (state) => ({ err: describeError(error, state) })); // what it changed before throwing counts
      }
      if (isPromise(result) && nestedDepth === 0) {
        return new Pending(
          result,
          (value) => withAfter(table, args, before, (state) => ({ ok: encode(value, state), async: true })),
          (error) => withAfter(table, args, before, (state) => ({ err: describeError(error, state), async: true }))
        );
      }
      return withAfter(table, args, before, (state) => ({ ok: encode(result, state) }));
    }
    case "next": {
      const step = target.next(...args);
      const answer = (result) => {
        if (result === null || typeof result !== "object") throw new TypeError(`Iterator result ${String(result)} is not an object`);
        return result.done ? { stop: true, value: encode(result.value, reply()) } : { ok: encode(result.value, reply()) };
      };
      if (!isPromise(step)) return answer(step);
      if (nestedDepth > 0) throw new TypeError(NESTED_AWAIT);
      return new Pending(
        step,
        (result) => {
          try {
            return { ...answer(result), async: true };
          } catch (error) {
            return { err: describeError(error), async: true };
          }
        },
        (error) => ({ err: describeError(error), async: true })
      );
    }
    case "await":
      if (nestedDepth > 0) throw new TypeError(NESTED_AWAIT);
      return new Pending(
        promiseResolve(target),
        (value) => ({ ok: encode(value, reply()), async: true }),
        (error) => ({ err: describeError(error), async: true })
      );
    case "op": {
      if (!hasOwn(OPERATIONS, name)) throw new TypeError(`unknown operation ${name}`);
      return { ok: encode(OPERATIONS[name](target, ...args), reply()) };
    }
    default:
      throw new TypeError(`unknown request ${String(op).slice(0, 40)}`);
  }
}

// While a promise is awaited, an exception nobody catches (a timer of the solution's that throws)
// answers the request, as node:test would fail the running test; at other times it is only printed.
let crashed = null;

function uncaught(error) {
  try {
    writeSync(2, `${cleanStack(error && error.stack ? error.stack : String(error))}\n`);
  } catch (e) {
    // stderr is gone
  }
  if (crashed) crashed(error);
}

// A promise that nothing can settle any more (`new Promise(() => {})`): the event loop empties and node
// would end the server, failing every later test; the request fails instead, as in node:test.
const NEVER_SETTLES =
  "the solution's promise can never settle: nothing is left for it to wait for " +
  "(Promise resolution is still pending but the event loop has already resolved)";

function idle() {
  if (crashed) crashed(new Error(NEVER_SETTLES));
}

function settle(pending) {
  const settled = new Promise((resolve) => {
    const answer = (make, outcome) => {
      try {
        resolve(make(outcome));
      } catch (error) {
        resolve({ err: describeError(error), async: true }); // the value cannot cross (a cycle, too large)
      }
    };
    crashed = (error) => resolve({ err: describeError(error), async: true });
    promiseThen(
      pending.promise,
      (value) => answer(pending.fulfilled, value),
      (error) => answer(pending.rejected, error)
    );
  });
  return promiseThen(settled, (reply) => {
    crashed = null;
    return reply;
  });
}

function nextTurn() {
  return new Promise((resolve) => setImmediateRef(resolve));
}

async function serveForever() {
  for (;;) {
    let request;
    try {
      request = receive();
    } catch (error) {
      if (error instanceof ChannelClosed) break;
      throw error;
    }
    let reply;
    try {
      reply = serve(request);
      if (reply instanceof Pending) reply = await settle(reply);
    } catch (error) {
      reply = { err: describeError(error) }; // a fault of ours: the judge still gets an answer
    }
    try {
      sendReply(reply);
    } catch (error) {
      break; // the judge is gone
    }
    await nextTurn(); // the solution's deferred work (process.nextTick, resolved promises, timers due)
  }
  process.exit(0);
}

// --- start --------------------------------------------------------------------------------------

function exportsOf(mod) {
  const names = {};
  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return names;
  let keys = [];
  try {
    keys = objectKeys(mod).slice(0, 10000);
  } catch (error) {
    return names;
  }
  for (const key of keys) {
    try {
      const desc = getOwnPropertyDescriptor(mod, key);
      if (desc && typeof desc.value === "function") {
        names[key] = encode(desc.value);
        // `exports.add = (a, b) => ...` has no name of its own: shown in messages as the name it has here
        if (names[key].type === "anonymous") names[key].type = key.slice(0, 200);
      }
    } catch (error) {
      // the judge asks for it when it is used
    }
  }
  return names;
}

function main() {
  const path = process.argv[2];
  process.argv = [process.argv[0], path];
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", uncaught);
  process.on("beforeExit", idle);
  let mod;
  try {
    mod = require(path);
  } catch (error) {
    const text = cleanStack(error && error.stack ? error.stack : String(error));
    try {
      writeSync(2, `${text}\n`);
    } catch (e) {
      // stderr is gone
    }
    send({ hello: { loaded: false, error: text.slice(0, 6000) } });
    // Stay until the judge has read it: a FIFO's data goes when the last process holding it does.
    try {
      for (;;) receive();
    } catch (e) {
      process.exit(0);
    }
  }
  exported.set(0, mod);
  if ((mod !== null && typeof mod === "object") || typeof mod === "function") exportIds.set(mod, 0);
  const kind = typeof mod === "function" ? (isClass(mod) ? "class" : "function") : "object";
  const hello = { loaded: true, kind, type: typeName(Object(mod)), exports: exportsOf(mod) };
  if (kind === "class") objectAssign(hello, errorLineage(mod));
  send({ hello });
  serveForever();
}

main();
