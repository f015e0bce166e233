"""The proxy's wire format (sandbox/harness/pywire.py) without Docker: what crosses is built-in data only."""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from collections import OrderedDict, namedtuple
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sandbox" / "harness"))
import pywire


class Local(pywire.Wire):
    def remote(self, handle: int, kind: str, type_name: str) -> tuple[str, int, str, str]:
        return ("remote", handle, kind, type_name)


def roundtrip(value: object) -> object:
    wire = Local(-1, -1)
    return wire.decode(json.loads(json.dumps(wire.encode(value), allow_nan=False)))


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -7, 2**80, 1.5, -0.0, "é", b"\x00\xff", 1 + 2j, [1, [2]], (1, (2,)), {1: "a", (2, 3): [4]},
     {1, 2}, frozenset({3}), {"nested": [{"k": (1, b"x")}]}],
)  # fmt: skip
def test_plain_values_cross_unchanged_and_keep_their_type(value: object) -> None:
    back = roundtrip(value)

    assert back == value and type(back) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)  # type: ignore[arg-type]


def test_nan_and_infinities_cross() -> None:
    back = roundtrip([math.nan, math.inf, -math.inf])

    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]  # type: ignore[index]


def test_subclasses_of_plain_types_cross_as_their_plain_value() -> None:
    class Always(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    Point = namedtuple("Point", "x y")

    assert type(roundtrip(Always(3))) is int and roundtrip(Always(3)) != 4
    assert roundtrip(OrderedDict(a=1)) == {"a": 1} and type(roundtrip(OrderedDict(a=1))) is dict
    point = roundtrip(Point(1, 2))
    assert point == (1, 2) and point.y == 2  # type: ignore[attr-defined]


def test_other_objects_cross_as_handles_of_the_sender() -> None:
    class Thing:
        def __eq__(self, other: object) -> bool:
            return True

    wire = Local(-1, -1)
    thing = Thing()
    encoded = wire.encode(thing)

    assert encoded["$"] == "ref" and wire.exported[encoded["v"]] is thing
    assert wire.decode(encoded)[0] == "remote"
    assert wire.encode(thing) == encoded  # the same object keeps its handle
    assert wire.encode(len)["kind"] == "function" and wire.encode(iter([]))["kind"] == "iterator"


@pytest.mark.parametrize(
    "data",
    [
        {"$": "eval", "v": "1"},
        {"no": "tag"},
        [1, 2],
        {"$": "list", "v": 3},
        {"$": "set", "v": [{"$": "list", "v": []}]},
    ],
    ids=["unknown-tag", "untagged-object", "bare-array", "bad-list", "unhashable-in-set"],
)
def test_malformed_values_end_the_channel_instead_of_building_anything(data: object) -> None:
    with pytest.raises(pywire.ChannelClosed):
        Local(-1, -1).decode(data)


def test_cycles_and_deep_nesting_are_refused_by_the_sender() -> None:
    loop: list[object] = []
    loop.append(loop)
    deep: list[object] = []
    for _ in range(500):
        deep = [deep]

    with pytest.raises(ValueError, match="contains itself"):
        Local(-1, -1).encode(loop)
    with pytest.raises(ValueError, match="nested too deeply"):
        Local(-1, -1).encode(deep)


def test_frames_over_the_cap_or_not_json_end_the_channel() -> None:
    r, w = os.pipe()
    wire = Local(r, -1)
    os.write(w, struct.pack(">I", pywire.FRAME_CAP + 1))
    with pytest.raises(pywire.ChannelClosed, match="over the limit"):
        wire.receive()
    os.write(w, struct.pack(">I", 3) + b"{{{")
    with pytest.raises(pywire.ChannelClosed):
        Local(r, -1).receive()
    os.close(w)
    with pytest.raises(pywire.ChannelClosed):
        Local(r, -1).receive()
    os.close(r)


def test_a_reader_with_a_deadline_gives_up() -> None:
    r, w = os.pipe()
    os.set_blocking(r, False)
    wire = Local(r, -1, deadline=__import__("time").time() + 0.2)
    with pytest.raises(pywire.WireTimeout):
        wire.receive()
    os.close(r)
    os.close(w)


def test_exceptions_arrive_as_builtins_or_named_stand_ins() -> None:
    assert pywire.exception_class("ValueError", ["ValueError", "Exception"]) is ValueError
    custom = pywire.exception_class("EmptyError", ["KeyError", "LookupError", "Exception", "BaseException"])
    assert custom.__name__ == "EmptyError" and issubclass(custom, KeyError)
    assert pywire.exception_class("EmptyError", ["KeyError"]) is custom  # one class per name: pytest.raises works
    odd = pywire.exception_class("Both", ["KeyError", "OSError"])  # no class can derive from both
    assert issubclass(odd, KeyError)


@pytest.mark.parametrize("name", ["StopIteration", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "Skipped"])
def test_control_flow_exceptions_arrive_as_plain_failures(name: str) -> None:
    cls = pywire.exception_class(name, [name, "BaseException"] if name != "Skipped" else ["BaseException"])

    assert cls.__name__ == name and issubclass(cls, Exception)
    assert not issubclass(cls, (StopIteration, SystemExit, KeyboardInterrupt, GeneratorExit))


def test_a_solutions_traceback_is_attached_as_a_note() -> None:
    exc = pywire.build_exception({"type": "ValueError", "bases": [], "message": "bad", "traceback": "line 3"})

    assert type(exc) is ValueError and str(exc) == "bad" and "line 3" in exc.__notes__[0]


def test_a_container_twice_in_one_message_is_the_same_object_there() -> None:
    a: dict[str, int] = {"x": 1}
    wire = Local(-1, -1)
    encoded = wire.encode([a, {"x": 1}, a, bytearray(b"z")])
    assert encoded["id"] == 0 and encoded["v"][2] == {"$": "same", "v": 1}
    back = wire.decode(json.loads(json.dumps(encoded)))
    assert back == [a, a, a, b"z"] and back[0] is back[2] and back[0] is not back[1]


def test_a_reply_refers_back_to_the_requesters_own_objects() -> None:
    """uniqueValues([a, b, a]) -> [a, b]: the test gets its own a and b; f(xs) is xs."""
    judge, server = Local(-1, -1), Local(-1, -1)
    a, b = {"x": 1}, {"x": 1}
    xs = [a, b, a]
    judge.begin_out()
    request = json.loads(json.dumps([judge.encode(xs)]))
    sent = {n: obj for n, obj in judge._out.values()}
    server.begin_in()
    server._serving.append(server._in)
    (args,) = [server.decode(x) for x in request]
    assert args[0] is args[2] and args[0] is not args[1]
    server.begin_out(reply=True)
    reply = json.loads(json.dumps({"ok": server.encode([args[0], args[1]]), "same": server.encode(args)}))
    server._serving.pop()
    assert reply["ok"]["v"] == [{"$": "back", "v": 1}, {"$": "back", "v": 2}]
    judge.begin_in(sent)
    result = judge.decode(reply["ok"])
    assert len(result) == 2 and result[0] is a and result[1] is b
    assert judge.decode(reply["same"]) is xs
