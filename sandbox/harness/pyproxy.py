"""The judge's `solution` module: a proxy whose every use crosses the wire to the solution server.

Installed as sys.modules["solution"] in the judge before the tests are imported. While the tests are
being collected nothing crosses (the solution cannot choose which tests exist); afterwards names
resolve on first use. Exception classes the solution defines at top level (`class EmptyError(ValueError)`)
are known from its source without running it, so `pytest.raises(solution.EmptyError)` works.
"""

from __future__ import annotations

import ast
import operator
import os
import types
from typing import Any

import pywire

LOAD_FAILED = "the solution could not be loaded:"
NOT_DURING_COLLECTION = "the solution cannot be used while the tests are being collected: use it inside a test"
NO_ANSWER = "the solution did not answer within the time limit"
ENDED = "the solution process ended (it exited, crashed or was killed)"
MARGIN = 0.3  # seconds before the run's deadline when a call gives up


class SolutionTimeout(BaseException):
    """A call into the solution ran out of time. BaseException: `except Exception` in a test can't hide it."""


class SolutionGone(Exception):
    pass


class JudgeWire(pywire.Wire):
    """The judge's end: connects on first use; serves only calls of the callbacks it handed out."""

    def __init__(self, ipc: str, deadline: float | None, on_timeout: Any = None) -> None:
        super().__init__(-1, -1, deadline=None if deadline is None else deadline - MARGIN)
        self.wfd: int = -1
        self.ipc = ipc
        self.collecting = True
        self.failure: BaseException | None = None
        self.on_timeout = on_timeout
        self.calls = 0
        self.handles: dict[int, Handle] = {}

    def connect(self) -> None:
        if self.collecting:
            raise RuntimeError(NOT_DURING_COLLECTION)
        if self.failure is not None:
            raise type(self.failure)(*self.failure.args) from None
        if self.wfd >= 0:
            return
        try:
            # The answer side first: a server that already ended may have left its greeting there.
            self.rfd = os.open(os.path.join(self.ipc, "answer"), os.O_RDONLY | os.O_NONBLOCK)
            hello = self._exchange(None).get("hello")
            if not isinstance(hello, dict) or not hello.get("loaded"):
                error = str(hello.get("error", "")) if isinstance(hello, dict) else "no greeting"
                self._fail(SolutionGone(f"{LOAD_FAILED}\n{error[-6000:]}"))
            self.wfd = os.open(os.path.join(self.ipc, "call"), os.O_WRONLY | os.O_NONBLOCK)
            os.set_blocking(self.wfd, True)
        except OSError:  # ENXIO: nobody reads the calls any more
            self._fail(SolutionGone(ENDED))

    def _fail(self, failure: BaseException) -> Any:
        self.failure = failure
        raise failure from None

    def _exchange(self, message: dict[str, Any] | None) -> dict[str, Any]:
        try:
            return self.receive() if message is None else self.request(message)
        except pywire.WireTimeout:
            if self.on_timeout:
                self.on_timeout()
            return self._fail(SolutionTimeout(NO_ANSWER))
        except pywire.ChannelClosed:
            return self._fail(SolutionGone(ENDED))
        except Exception as exc:  # half a reply may be unread: the channel can never be trusted again
            return self._fail(SolutionGone(f"the channel to the solution broke ({type(exc).__name__}: {exc})"))

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        self.connect()
        self.calls += 1
        reply = self._exchange(message)
        if "err" in reply:
            raise pywire.build_exception(reply["err"] if isinstance(reply["err"], dict) else {})
        return reply

    def value(self, message: dict[str, Any]) -> Any:
        return self.decode(self.ask(message).get("ok"))

    def call(self, obj: int, name: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.begin_out()
        encoded = [self.encode(a) for a in args]
        message = {"op": "call", "obj": obj, "name": name, "args": encoded}
        message["kwargs"] = [[k, self.encode(v)] for k, v in kwargs.items()]
        reply = self.ask(message)
        for index, after in reply.get("after") or []:
            # in place, and later references to it in the reply ("same") mean the test's own object
            if (
                isinstance(index, int)
                and 0 <= index < len(args)
                and copy_back(args[index], self.decode(after))
                and isinstance(after, dict)
                and "id" in after
            ):
                self._in[after["id"]] = args[index]
        return self.decode(reply.get("ok"))

    def remote(self, handle: int, kind: str, type_name: str) -> Any:
        if kind == "coroutine":  # a real coroutine of the judge's, so asyncio.run() and await take it
            return _awaited(Handle(self, handle, kind, type_name))
        if handle not in self.handles:  # one proxy per object: `is` and == tell the same object
            self.handles[handle] = Handle(self, handle, kind, type_name)
        return self.handles[handle]

    def handle_of(self, value: Any) -> int | None:
        if isinstance(value, Handle) and object.__getattribute__(value, "_wire") is self:
            return int(object.__getattribute__(value, "_id"))
        if isinstance(value, Lazy) and value._wire is self and value._fetched:
            return self.handle_of(value._value)
        return None

    def serve(self, request: dict[str, Any]) -> dict[str, Any]:
        """The solution calls back a function a test passed it; nothing else of the judge is reachable."""
        target = self.exported.get(request.get("obj"))
        op = request.get("op")
        try:
            if target is None or op not in ("call", "next") or (op == "call" and request.get("name") is not None):
                raise TypeError("the solution may only call the functions a test gave it")
            if op == "next":
                try:
                    item = next(target)
                    self.begin_out(reply=True)
                    return {"ok": self.encode(item)}
                except StopIteration as stop:
                    return {"stop": True, "value": self.encode(stop.value)}
            args = [self.decode(a) for a in request.get("args") or []]
            kwargs = {str(k): self.decode(v) for k, v in request.get("kwargs") or []}
            result = target(*args, **kwargs)
            self.begin_out(reply=True)
            return {"ok": self.encode(result)}
        except Exception as exc:
            return {"err": pywire.describe_exception(exc)}


async def _awaited(handle: Handle) -> Any:
    return handle._wire.value({"op": "await", "obj": handle._id})


def copy_back(original: Any, after: Any) -> bool:
    """Put what the solution did to a list/dict/set argument into the test's own object."""
    if isinstance(original, list) and isinstance(after, list):
        original[:] = after
    elif isinstance(original, (dict, set)) and isinstance(
        after, type(original) if isinstance(original, dict) else (set, frozenset)
    ):
        original.clear()
        original.update(after)
    elif isinstance(original, bytearray) and isinstance(after, bytes):
        original[:] = after
    else:
        return False
    return True


def _refuse_order(self: Any, other: Any) -> Any:
    raise TypeError("objects of the solution cannot be ordered in a test: compare plain values (numbers, strings)")


_CHECKED = {"__len__": int, "__bool__": bool, "__str__": str, "__repr__": str, "__contains__": bool}


class Handle:
    """An object that stays in the solution: reads, calls and operators cross; equality is identity."""

    __slots__ = ("_id", "_kind", "_type", "_wire")

    def __init__(self, wire: JudgeWire, handle: int, kind: str, type_name: str) -> None:
        object.__setattr__(self, "_wire", wire)
        object.__setattr__(self, "_id", handle)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_type", type_name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._wire.value({"op": "get", "obj": self._id, "name": name})

    def __setattr__(self, name: str, value: Any) -> None:
        self._wire.begin_out()
        self._wire.ask({"op": "set", "obj": self._id, "name": name, "value": self._wire.encode(value)})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._wire.call(self._id, None, args, kwargs)

    def _op(self, name: str, *args: Any) -> Any:
        self._wire.begin_out()
        message = {"op": "op", "obj": self._id, "name": name, "args": [self._wire.encode(a) for a in args]}
        result = self._wire.value(message)
        expected = _CHECKED.get(name)
        if expected is not None and type(result) is not expected:
            raise TypeError(f"{name} of the solution's {self._type} gave {type(result).__name__}")
        return result

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __lt__ = __le__ = __gt__ = __ge__ = _refuse_order

    def __hash__(self) -> int:
        return hash((id(self._wire), self._id))

    def __repr__(self) -> str:
        try:
            return self._op("__repr__")[:2000]
        except BaseException:
            return f"<{self._type} of the solution>"

    def __str__(self) -> str:
        return self._op("__str__")

    def __bool__(self) -> bool:
        return self._op("__bool__")

    def __len__(self) -> int:
        return self._op("__len__")

    def __contains__(self, item: Any) -> bool:
        return self._op("__contains__", item)

    def __iter__(self) -> Any:
        return self if self._kind == "iterator" else self._op("__iter__")

    def __next__(self) -> Any:
        reply = self._wire.ask({"op": "next", "obj": self._id})
        if reply.get("stop"):
            raise StopIteration(self._wire.decode(reply.get("value")))
        return self._wire.decode(reply.get("ok"))

    def __await__(self) -> Any:
        return self._wire.value({"op": "await", "obj": self._id})
        yield  # a generator that never yields: the solution ran the coroutine to its end

    def __enter__(self) -> Any:
        return self._op("__enter__")

    def __exit__(self, *exc: Any) -> Any:
        return self._op("__exit__", None, None, None)


def _forward(name: str) -> Any:
    def method(self: Handle, *args: Any) -> Any:
        return self._op(name, *args)

    method.__name__ = name
    return method


OPERATORS = [
    "__getitem__", "__setitem__", "__delitem__", "__add__", "__sub__", "__mul__", "__truediv__",
    "__floordiv__", "__mod__", "__pow__", "__and__", "__or__", "__xor__", "__matmul__",
]  # fmt: skip
# Not these: they are how a test that takes the object for a number reads it (float(x), math.isclose,
# pytest.approx computes `expected - actual`, so the object's __rsub__), and letting the solution
# answer them would let an object pass for the right number: the __eq__ trick by another door.
NOT_A_NUMBER = [
    "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__neg__", "__pos__", "__abs__", "__int__",
    "__float__", "__index__", "__complex__", "__round__", "__invert__",
]  # fmt: skip


def _not_a_number(self: Any, *args: Any) -> Any:
    raise TypeError(f"the solution returned a {self._type}, not a number: compare plain values")


for _name in NOT_A_NUMBER:
    setattr(Handle, _name, _not_a_number)
for _name in OPERATORS:
    setattr(Handle, _name, _forward(_name))


class Lazy:
    """`solution.name` before it is used: calling it is one round trip; any other use fetches it first."""

    __slots__ = ("_fetched", "_name", "_value", "_wire")

    def __init__(self, wire: JudgeWire, name: str) -> None:
        self._wire, self._name, self._fetched = wire, name, False
        self._value: Any = None

    def _resolve(self) -> Any:
        if not self._fetched:
            self._value = self._wire.value({"op": "get", "obj": 0, "name": self._name})
            self._fetched = True
        return self._value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._fetched:
            return self._value(*args, **kwargs)
        return self._wire.call(0, self._name, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolve(), name)

    def __repr__(self) -> str:
        return repr(self._resolve()) if not self._wire.collecting else f"<solution.{self._name}>"

    def __instancecheck__(self, instance: Any) -> bool:
        target = self._resolve()
        if isinstance(target, type):
            return isinstance(instance, target)
        return isinstance(instance, Handle) and isinstance(target, Handle) and instance._type == target._type

    def __eq__(self, other: object) -> bool:
        return bool(self._resolve() == other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())

    def __iter__(self) -> Any:
        return iter(self._resolve())

    def __contains__(self, item: Any) -> bool:
        return item in self._resolve()

    def __bool__(self) -> bool:
        return bool(self._resolve())

    def __str__(self) -> str:
        return str(self._resolve())


def _lazy_forward(name: str) -> Any:
    def method(self: Lazy, *args: Any) -> Any:
        return getattr(operator, name)(self._resolve(), *args)

    method.__name__ = name
    return method


for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__getitem__", "__add__", "__sub__", "__mul__", "__truediv__"):
    setattr(Lazy, _name, _lazy_forward(_name))


class SolutionModule(types.ModuleType):
    """What `import solution` gives a test in isolated mode."""

    def __init__(self, wire: JudgeWire, source: str) -> None:
        super().__init__("solution", "The solution under test; it runs in another process.")
        names, exceptions = top_level_names(source)
        self.__dict__.update(exceptions)
        self.__all__ = [n for n in names if not n.startswith("_")]
        self.__file__ = "/work/solution/solution.py"
        object.__setattr__(self, "_wire", wire)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Lazy(self.__dict__["_wire"], name)


def top_level_names(source: str) -> tuple[list[str], dict[str, type[BaseException]]]:
    """Names the solution defines at top level (not what it imports), and its exception classes as
    stand-ins, read from the source without running it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], {}
    names: list[str] = []
    exceptions: dict[str, type[BaseException]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        if isinstance(node, ast.ClassDef):
            bases: list[str] = []
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in exceptions:
                    bases += pywire.builtin_bases(exceptions[base.id])
                elif isinstance(base, ast.Name) and base.id in pywire.BUILTIN_EXCEPTIONS:
                    bases.append(base.id)
            if bases:
                exceptions[node.name] = pywire.exception_class(node.name, bases)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            try:
                declared = ast.literal_eval(node.value)
                if isinstance(declared, (list, tuple)) and all(isinstance(n, str) for n in declared):
                    names = list(declared) + [n for n in names if n != "__all__"]
            except ValueError:
                pass
    return list(dict.fromkeys(n for n in names if n != "__all__")), exceptions


def install(ipc: str, solution_path: str, deadline: float | None, on_timeout: Any = None) -> JudgeWire:
    import sys

    try:
        with open(solution_path, encoding="utf-8") as f:
            source = f.read()
    except OSError:
        source = ""
    wire = JudgeWire(ipc, deadline, on_timeout)
    sys.modules["solution"] = SolutionModule(wire, source)
    return wire
