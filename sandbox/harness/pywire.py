"""The wire between the judge and the solution server (PROTOCOL.md): frames and values. Stdlib only.

Both sides import it: the judge (pytest, tests) and the solution server (the model's code). Decoding
builds built-in values only, so nothing the solution sends can carry its own behaviour (an `__eq__`)
into the judge; what is not plain data stays on its side and crosses as a handle.
"""

from __future__ import annotations

import base64
import builtins
import collections
import collections.abc
import json
import math
import os
import select
import struct
import time
from typing import Any

FRAME_CAP = int(os.environ.get("SANDBOX_FRAME_CAP", str(16 << 20)))
MAX_DEPTH = 100
POLL_SECONDS = 0.1
HEADER = struct.Struct(">I")
BUILTIN_EXCEPTIONS: dict[str, type[BaseException]] = {
    name: obj for name, obj in vars(builtins).items() if isinstance(obj, type) and issubclass(obj, BaseException)
}
# Exceptions that steer control flow in the judge (stop a loop, end a session): they cross as stand-ins.
CONTROL_FLOW = {"StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit"}


class ChannelClosed(Exception):
    """The other side ended or sent something that is not a frame of this protocol."""


class WireTimeout(Exception):
    """No answer before the deadline."""


def line_buffered() -> None:
    """A role's prints reach its pipe line by line: the container may end before any exit flush, and
    python -I ignores PYTHONUNBUFFERED."""
    import sys

    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)


def builtin_bases(cls: type) -> list[str]:
    """Names of the built-in exception classes in `cls`'s MRO, nearest first."""
    return [c.__name__ for c in cls.__mro__ if BUILTIN_EXCEPTIONS.get(c.__name__) is c]


def describe_exception(exc: BaseException) -> dict[str, Any]:
    import traceback

    try:
        message = str(exc)
    except Exception:
        message = "<unprintable>"
    try:
        text = "".join(traceback.format_exception(exc))[-8000:]
    except Exception:
        text = ""
    return {
        "type": type(exc).__name__[:200],
        "bases": builtin_bases(type(exc)),
        "message": message[:8000],
        "traceback": text,
    }


class Wire:
    """One end of the channel: frames, values, the handles this side gave out, and the wait loop."""

    def __init__(self, rfd: int, wfd: int, *, deadline: float | None = None) -> None:
        self.rfd, self.wfd = rfd, wfd
        self.deadline = deadline  # time.time() after which a wait gives up
        self.exported: dict[int, Any] = {}
        self._export_ids: dict[int, int] = {}
        self._next_id = 1
        self._buffer = bytearray()
        # Identity within a message and back to a request (PROTOCOL.md "Identity").
        self._out: dict[int, tuple[int, Any]] = {}  # id(obj) -> (n, obj): the message being encoded
        self._back: dict[int, int] = {}  # id(obj) -> n in the request being answered (replies only)
        self._in: dict[int, Any] = {}  # n -> decoded object: the message being decoded
        self._origin: dict[int, Any] = {}  # n -> our own object in the request the reply answers
        self._serving: list[dict[int, Any]] = []  # the decoded tables of the requests in flight here

    def begin_out(self, reply: bool = False, keep: bool = False) -> None:
        """Start encoding a new message (`keep`: go on with this one); a reply may refer back to the
        request being served."""
        if not keep:
            self._out = {}
        self._back = {id(o): n for n, o in self._serving[-1].items()} if reply and self._serving else {}

    def begin_in(self, origin: dict[int, Any] | None = None) -> None:
        self._in = {}
        self._origin = origin or {}

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve one request of the other side, keeping its decoded containers for `back`."""
        self.begin_in()
        self._serving.append(self._in)
        try:
            return self.serve(request)
        finally:
            self._serving.pop()

    # --- frames ------------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
        if len(data) > FRAME_CAP:
            raise ValueError(f"the value is too large to cross to the other side ({len(data)} bytes)")
        self.begin_out()
        view = memoryview(HEADER.pack(len(data)) + data)
        try:
            while view:
                view = view[os.write(self.wfd, view) :]
        except OSError as exc:  # EPIPE: the reader is gone
            raise ChannelClosed(str(exc)) from None

    def receive(self) -> dict[str, Any]:
        size = HEADER.unpack(self._read(HEADER.size))[0]
        if size > FRAME_CAP:
            raise ChannelClosed(f"a frame of {size} bytes is over the limit")
        try:
            message = json.loads(self._read(size))
        except (ValueError, RecursionError):
            raise ChannelClosed("a frame that is not JSON") from None
        if not isinstance(message, dict):
            raise ChannelClosed("a frame that is not an object")
        return message

    def _read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            try:
                chunk = os.read(self.rfd, max(65536, n - len(self._buffer)))
            except BlockingIOError:  # a non-blocking end: wait a little, then look again
                remaining = None if self.deadline is None else self.deadline - time.time()
                if remaining is not None and remaining <= 0:
                    raise WireTimeout() from None
                # A FIFO opened after its writer left never signals hang-up: wait a little, look again.
                wait = POLL_SECONDS if remaining is None else min(remaining, POLL_SECONDS)
                try:
                    poller = select.poll()
                    poller.register(self.rfd, select.POLLIN)
                    poller.poll(wait * 1000)
                except OSError:  # a runtime that refuses poll (seen under gVisor with select)
                    time.sleep(0.001)
                continue
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None
            if not chunk:
                raise ChannelClosed("end of the channel")
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a request; serve the other side's requests until our reply arrives."""
        sent = {n: obj for n, obj in self._out.values()}
        self.send(message)
        while True:
            reply = self.receive()
            if "op" not in reply:
                self.begin_in(sent)
                return reply
            self.send(self.answer(reply))

    def serve(self, request: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - each side's own
        raise NotImplementedError

    # --- values ------------------------------------------------------------------------------

    def export(self, obj: Any) -> int:
        key = id(obj)
        if key in self._export_ids and self.exported.get(self._export_ids[key]) is obj:
            return self._export_ids[key]
        handle = self._next_id
        self._next_id += 1
        self.exported[handle] = obj
        self._export_ids[key] = handle
        return handle

    def encode(self, value: Any, depth: int = 0, path: frozenset[int] = frozenset()) -> Any:
        kind = type(value)
        if value is None or kind in (bool, str):
            return value
        if kind is int:
            return value if abs(value) < 1 << 53 else {"$": "bigint", "v": str(value)}
        if kind is float:
            if math.isfinite(value):
                return {"$": "float", "v": "-0"} if value == 0 and math.copysign(1, value) < 0 else value
            return {"$": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
        if isinstance(value, (int, float, str)):  # IntEnum, StrEnum, ...: the value itself, by its base type
            base = int if isinstance(value, int) else float if isinstance(value, float) else str
            return self.encode(base.__dict__["__int__" if base is int else f"__{base.__name__}__"](value))
        if depth > MAX_DEPTH:
            raise ValueError("the value is nested too deeply to cross")
        if kind is complex:
            return {"$": "complex", "v": [self.encode(value.real), self.encode(value.imag)]}
        if isinstance(value, bytearray):
            if id(value) in self._out:
                return {"$": "same", "v": self._out[id(value)][0]}
            n = self._register(value)
            return {"$": "bytes", "v": base64.b64encode(bytes(value)).decode(), "id": n}
        if isinstance(value, (bytes, memoryview)):
            return {"$": "bytes", "v": base64.b64encode(bytes(value)).decode()}
        if isinstance(value, BaseException):
            return {"$": "exc", "v": describe_exception(value)}
        if isinstance(value, type) and issubclass(value, BaseException):
            return {"$": "exctype", "type": value.__name__, "bases": builtin_bases(value)}
        own = self.handle_of(value)
        if own is not None:  # the receiver's own object, handed back to it
            return {"$": "handle", "v": own}
        container = _container_tag(value)
        if container is not None:
            if id(value) in path:
                raise ValueError("a value that contains itself cannot cross")
            mark: dict[str, int] = {}
            if container in ("list", "dict", "set"):  # mutable: identity crosses
                if id(value) in self._out:
                    return {"$": "same", "v": self._out[id(value)][0]}
                if id(value) in self._back:
                    return {"$": "back", "v": self._back[id(value)]}
                mark["id"] = self._register(value)
            inner, depth = path | {id(value)}, depth + 1
            if container == "dict":
                items = [[self.encode(k, depth, inner), self.encode(v, depth, inner)] for k, v in dict.items(value)]
                return {"$": "dict", "v": items, **mark}
            items = [self.encode(v, depth, inner) for v in _items(value, container)]
            if container == "namedtuple":
                return {"$": "namedtuple", "type": kind.__name__, "fields": list(value._fields), "v": items}
            return {"$": container, "v": items, **mark}
        return {"$": "ref", "v": self.export(value), "kind": _kind(value), "type": kind.__name__[:200]}

    def _register(self, value: Any) -> int:
        n = len(self._out)
        self._out[id(value)] = (n, value)
        return n

    def decode(self, data: Any, depth: int = 0) -> Any:
        value = self._decode(data, depth)
        if isinstance(data, dict) and "id" in data and data.get("$") in ("list", "dict", "set", "bytes"):
            n = data["id"]
            if type(n) is not int or n in self._in:
                raise ChannelClosed("a malformed value")
            self._in[n] = value
        return value

    def _decode(self, data: Any, depth: int) -> Any:
        if data is None or type(data) in (bool, str, int, float):
            return data
        if depth > MAX_DEPTH + 2 or not isinstance(data, dict):
            raise ChannelClosed("a value that is not of this protocol")
        tag = data.get("$")
        v: Any = data.get("v")
        try:
            if tag in ("list", "tuple", "set", "frozenset", "namedtuple"):
                items = [self.decode(x, depth + 1) for x in v]
                if tag == "namedtuple":
                    return _namedtuple(str(data["type"]), [str(f) for f in data["fields"]])(*items)
                return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
            if tag == "dict":
                return {self.decode(k, depth + 1): self.decode(x, depth + 1) for k, x in v}
            if tag == "float":
                return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}[v]
            if tag == "bigint":
                return int(v)
            if tag == "complex":
                return complex(float(self.decode(v[0])), float(self.decode(v[1])))
            if tag == "bytes":
                return base64.b64decode(v, validate=True)
            if tag == "undefined":
                return None
            if tag == "ref":
                return self.remote(int(v), str(data.get("kind", "object")), str(data.get("type", "object"))[:200])
            if tag == "handle":
                return self.exported[int(v)]
            if tag == "same":
                return self._in[int(v)]
            if tag == "back":
                return self._origin[int(v)]
            if tag == "exc":
                return build_exception(v)
            if tag == "exctype":
                return exception_class(str(data["type"]), list(data.get("bases") or []))
        except ChannelClosed:
            raise
        except Exception:
            raise ChannelClosed("a malformed value") from None
        raise ChannelClosed(f"an unknown value tag {str(tag)[:40]!r}")

    def remote(self, handle: int, kind: str, type_name: str) -> Any:  # pragma: no cover - each side's own
        raise NotImplementedError

    def handle_of(self, value: Any) -> int | None:
        """The other side's handle id if `value` stands for one of its objects, else None."""
        return None


def _container_tag(value: Any) -> str | None:
    kind = type(value)
    if kind is list or kind is dict or kind is tuple or kind is set or kind is frozenset:
        return kind.__name__
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return "namedtuple"
    for base in (dict, list, tuple, set, frozenset):  # OrderedDict, defaultdict, Counter, ... as their base
        if isinstance(value, base):
            return base.__name__
    return None


def _items(value: Any, tag: str) -> list[Any]:
    base = {"list": list, "tuple": tuple, "namedtuple": tuple, "set": set, "frozenset": frozenset}[tag]
    return list(base.__iter__(value))  # type: ignore[attr-defined]


def _kind(value: Any) -> str:
    import inspect

    if isinstance(value, type):
        return "class"
    if inspect.iscoroutine(value):
        return "coroutine"
    if isinstance(value, collections.abc.Iterator):
        return "iterator"
    if callable(value):
        return "function"
    return "object"


_NAMEDTUPLES: dict[tuple[str, tuple[str, ...]], type] = {}
_STAND_INS: dict[tuple[str, tuple[str, ...]], type[BaseException]] = {}


def _namedtuple(name: str, fields: list[str]) -> type:
    key = (name, tuple(fields))
    if key not in _NAMEDTUPLES:
        _NAMEDTUPLES[key] = collections.namedtuple(name if name.isidentifier() else "Row", fields, rename=True)
    return _NAMEDTUPLES[key]


def exception_class(name: str, bases: list[str]) -> type[BaseException]:
    """The built-in class of that name, or a stand-in with that name and the nearest built-in bases."""
    name = name if name.isidentifier() else "SolutionError"
    known = [BUILTIN_EXCEPTIONS[b] for b in bases if b in BUILTIN_EXCEPTIONS and b not in CONTROL_FLOW]
    if name in BUILTIN_EXCEPTIONS and name not in CONTROL_FLOW:
        return BUILTIN_EXCEPTIONS[name]
    # Keep only the most derived ones: (KeyError, LookupError, Exception) -> (KeyError,)
    minimal = [b for b in known if not any(o is not b and issubclass(o, b) for o in known)]
    minimal = [b for b in minimal if issubclass(b, Exception)] or [Exception]
    key = (name, tuple(b.__name__ for b in minimal))
    if key not in _STAND_INS:
        for candidate in (tuple(minimal), tuple(minimal[:1]), (Exception,)):
            try:
                _STAND_INS[key] = type(name, candidate, {"__module__": "solution"})
                break
            except TypeError:  # an impossible layout, e.g. (KeyError, OSError)
                continue
    return _STAND_INS[key]


def build_exception(info: dict[str, Any]) -> BaseException:
    cls = exception_class(str(info.get("type", "Exception")), list(info.get("bases") or []))
    message = str(info.get("message", ""))
    try:
        exc = cls(message) if message or cls is not KeyError else cls()
    except Exception:
        exc = Exception(message)
    trace = str(info.get("traceback") or "")
    if trace:
        exc.solution_traceback = trace  # type: ignore[attr-defined]
        exc.add_note("in the solution:\n" + trace[-4000:])
    return exc
