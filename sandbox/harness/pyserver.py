"""The solution server: imports the solution under the solution's uid and answers the judge's requests.

Everything here runs beside the model's code and may be rewritten by it: nothing it says is trusted
beyond being the solution's answer. The judge decodes its frames into built-in values only.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import operator
import os
import sys
import traceback
from typing import Any

sys.path.insert(0, "/tmp/harness")
import pywire

CALL_FD, ANSWER_FD = 3, 4
# What a Handle in the judge forwards (pyproxy.OPERATORS and its dunders), nothing more.
OPERATIONS: dict[str, Any] = {
    "__len__": len,
    "__bool__": bool,
    "__str__": str,
    "__repr__": repr,
    "__iter__": iter,
    "__contains__": lambda obj, item: item in obj,
    "__enter__": lambda obj: obj.__enter__(),
    "__exit__": lambda obj, *a: obj.__exit__(*a),
}
for _name in ("getitem", "setitem", "delitem", "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    OPERATIONS[f"__{_name}__"] = getattr(operator, _name)
for _name in ("and", "or", "xor"):
    OPERATIONS[f"__{_name}__"] = getattr(operator, _name + "_" if _name != "xor" else _name)

MUTABLE = (list, dict, set, bytearray)


class Callback:
    """A function of the judge's that a test passed in: calling it asks the judge to run it."""

    def __init__(self, wire: ServerWire, handle: int, kind: str) -> None:
        self._wire, self._handle, self._kind = wire, handle, kind

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._wire.begin_out()
        message = {"op": "call", "obj": self._handle, "name": None, "args": [self._wire.encode(a) for a in args]}
        message["kwargs"] = [[k, self._wire.encode(v)] for k, v in kwargs.items()]
        return self._wire.answer_of(self._wire.request(message))

    def __iter__(self) -> Callback:
        return self

    def __next__(self) -> Any:
        reply = self._wire.request({"op": "next", "obj": self._handle})
        if reply.get("stop"):
            raise StopIteration(self._wire.decode(reply.get("value")))
        return self._wire.answer_of(reply)


class ServerWire(pywire.Wire):
    def remote(self, handle: int, kind: str, type_name: str) -> Any:
        return Callback(self, handle, kind)

    def handle_of(self, value: Any) -> int | None:
        return value._handle if isinstance(value, Callback) and value._wire is self else None

    def answer_of(self, reply: dict[str, Any]) -> Any:
        if "err" in reply:
            raise pywire.build_exception(reply["err"])
        return self.decode(reply.get("ok"))

    def serve(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._serve(request)
        except BaseException as exc:  # SystemExit and all: the test sees it as a failure
            return {"err": pywire.describe_exception(exc)}

    def reply(self, value: Any) -> dict[str, Any]:
        self.begin_out(reply=True)
        return {"ok": self.encode(value)}

    def snapshot(self, value: Any) -> Any:
        """A mutable argument's contents, to tell whether the call changed it."""
        self.begin_out()
        return self.encode(value)

    def _serve(self, request: dict[str, Any]) -> dict[str, Any]:
        op, obj = request.get("op"), self.exported[int(request.get("obj", -1))]
        name = request.get("name")
        if op == "get":
            return self.reply(getattr(obj, str(name)))
        if op == "set":
            setattr(obj, str(name), self.decode(request.get("value")))
            return {"ok": None}
        if op == "next":
            try:
                return self.reply(next(obj))
            except StopIteration as stop:
                self.begin_out(reply=True)
                return {"stop": True, "value": self.encode(stop.value)}
        if op == "await":
            return self.reply(asyncio.new_event_loop().run_until_complete(obj))
        raw_args = list(request.get("args") or [])
        args = [self.decode(a) for a in raw_args]
        if op == "op":
            return self.reply(OPERATIONS[str(name)](obj, *args))
        if op != "call":
            raise ValueError(f"unknown request {op!r}")
        kwargs = {str(k): self.decode(v) for k, v in request.get("kwargs") or []}
        target = obj if name is None else getattr(obj, str(name))
        before = [self.snapshot(a) if isinstance(a, MUTABLE) else None for a in args]
        result = target(*args, **kwargs)
        changed = [i for i, a in enumerate(args) if before[i] is not None and self.snapshot(a) != before[i]]
        # The changed arguments first, as full copies (no `back`: their contents are new); the value
        # after them, so a container it shares with them is `same` and the judge's own object.
        self.begin_out()
        after = [[i, self.encode(args[i])] for i in changed]
        self.begin_out(reply=True, keep=True)
        reply: dict[str, Any] = {"ok": self.encode(result)}
        if after:
            reply["after"] = after
        return reply


def serve(path: str) -> None:
    wire = ServerWire(CALL_FD, ANSWER_FD)
    os.chdir(path)
    sys.path.insert(0, path)
    sys.argv = ["solution.py"]
    try:
        module = importlib.import_module("solution")
    except BaseException as exc:
        traceback.print_exc()
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        wire.send({"hello": {"loaded": False, "error": text[-6000:]}})
        os._exit(0)
    wire.exported[0] = module
    wire.send({"hello": {"loaded": True}})
    while True:
        try:
            request = wire.receive()
        except pywire.ChannelClosed:
            break
        reply = wire.answer(request)
        try:
            wire.send(reply)
        except ValueError as exc:  # too large
            wire.send({"err": pywire.describe_exception(exc)})
    sys.stdout.flush()
    os._exit(0)


def main() -> None:
    pywire.line_buffered()
    go = json.loads(sys.stdin.readline() or "{}")
    if go.get("mode") != "serve":
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    serve(go.get("path", "/work/solution"))


main()
