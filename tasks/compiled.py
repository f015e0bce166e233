"""Querysets compiled once and run again with new values: the hot reads of every request (an access
check, the claim's reads) spend most of their Python time building and compiling the same SQL with
other numbers in it.

A `Compiled` wraps a function that builds the queryset from its arguments. The first run on a database
connection builds it twice with two sets of placeholder values (`Slot`), compiles both, and notes where
in the SQL's parameters the placeholders landed; every later run on that connection only puts the new
values in those places and executes the same SQL, turning rows into model instances (or values) as
Django does. The ORM stays the one description of each query, for SQLite and
PostgreSQL alike; the SQL is the ORM's own.

The built queryset's *shape* must not depend on the values: an argument may only be compared to
(`filter(pk=...)`, `taken__lt=...`), never decide which filters apply, nor be a list whose length
changes the SQL. The first run refuses a build whose SQL differs between the two sets of values, an
argument that does not reach the parameters as itself (one the builder used to decide something, or
dropped, or computed on), and a parameter that changes without being an argument. Tests compare each
compiled read with its plain queryset (tests/tasks/test_compiled.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery
from django.db.transaction import TransactionManagementError

T = TypeVar("T")

_INT64 = range(-(2**63), 2**63)


@dataclass(frozen=True)
class Slot:
    """The kind of one argument: int, str or datetime (aware)."""

    kind: type

    def placeholder(self, n: int, trial: int) -> Any:
        """Slot n's value in build `trial` (1 or 2): small enough for every integer field (Django drops a
        comparison with a value outside a field's range from the SQL), and different in the two builds."""
        if self.kind is int:
            return 1000 * trial + n
        if self.kind is str:
            return f"compiled-slot-{trial}-{n}"
        if self.kind is dt.datetime:
            return dt.datetime(1900 + trial, 2, 3, 4, 5, n, tzinfo=dt.UTC)
        raise TypeError(f"a compiled slot is int, str or datetime, not {self.kind.__name__}")


class _Plan:
    """One compiled queryset on one connection: its SQL, its parameters and where the slots go.

    Built twice, with two sets of placeholder values: the SQL must come out the same, and the
    parameters that differ are the slots' places (each must hold its slot's value)."""

    def __init__(self, builds: list[tuple[QuerySet[Any], dict[str, Any]]], connection: Any) -> None:
        adapt = _adapter(connection)
        (queryset, first), (other, second) = builds
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.positions = _slot_positions(
            (sql, params), other.query.get_compiler(connection=connection).as_sql(), first, second, adapt
        )
        self.sql, self.params, self.adapt = sql, list(params), adapt
        self.compiler, self.queryset = compiler, queryset
        self.locks = bool(queryset.query.select_for_update)
        # ModelIterable and the values iterables ask the query for a compiler: this one, already set up.
        queryset.query.get_compiler = lambda *a, **k: compiler  # type: ignore[method-assign]

    def run(self, values: dict[str, Any]) -> list[Any]:
        if self.locks and self.compiler.connection.get_autocommit():  # as Django's own check, at every run
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        statement = (self.sql, tuple(_filled(self.params, self.positions, self.adapt, values)))
        self.compiler.as_sql = lambda *a, **k: statement
        rows: Iterable[Any] = self.queryset._iterable_class(self.queryset)  # type: ignore[assignment]
        return list(rows)


def _slot_positions(
    built: tuple[str, Any], rebuilt: tuple[str, Any], first: dict[str, Any], second: dict[str, Any], adapt: Any
) -> list[tuple[int, str]]:
    """Where each argument lands in the parameters of the two builds' SQL (which must be the same)."""
    (sql, params), (sql2, params2) = built, rebuilt
    if sql != sql2 or len(params) != len(params2):
        raise ValueError("compiled query: the SQL changes with the arguments' values")
    names = {adapt(value): name for name, value in first.items()}
    positions: list[tuple[int, str]] = []
    for i, (a, b) in enumerate(zip(params, params2, strict=True)):
        if a == b:
            continue
        name = names.get(a) if _hashable(a) else None
        if name is None or adapt(second[name]) != b:
            raise ValueError(f"compiled query: parameter {i} ({a!r}) is derived from an argument, not the argument")
        positions.append((i, name))
    missing = set(first) - {name for _, name in positions}
    if missing:
        raise ValueError(f"compiled query: the argument(s) {sorted(missing)} shape the SQL instead of filling it")
    return positions


def _filled(params: list[Any], positions: list[tuple[int, str]], adapt: Any, values: dict[str, Any]) -> list[Any]:
    """A plan's parameters with this run's values in the slots' places."""
    filled = list(params)
    for i, name in positions:
        filled[i] = adapt(values[name])
    return filled


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _adapter(connection: Any) -> Callable[[Any], Any]:
    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)  # SQLite's is text
        return value

    return adapt


class _Compiling:
    """What Compiled and CompiledUpdate share: the arguments' slots and one plan per connection."""

    def __init__(self, build: Callable[..., Any], **slots: type) -> None:
        self.build = build
        self.slots = {name: Slot(kind) for name, kind in slots.items()}

    def _built(self, values: dict[str, Any]) -> Any:
        return self.build(**values)

    def _make(self, builds: list[tuple[Any, dict[str, Any]]], connection: Any) -> Any:
        raise NotImplementedError

    def _plan(self, values: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> Any:
        """The connection's plan (made at its first run), or None for an integer no database takes."""
        if set(values) != set(self.slots):
            raise TypeError(f"compiled query takes {sorted(self.slots)}, got {sorted(values)}")
        if any(type(v) is int and v not in _INT64 for v in values.values()):
            return None  # an id from a URL past 64 bits: no row has it, and no database takes it
        connection = connections[using]  # one per thread
        # Kept on the connection object, so a plan dies with it (an id() key could be taken by the next one).
        plans: dict[_Compiling, Any] = connection.__dict__.setdefault("compiled_plans", {})
        plan = plans.get(self)
        if plan is None:
            builds = []
            for trial in (1, 2):
                placeholders = {name: slot.placeholder(n, trial) for n, (name, slot) in enumerate(self.slots.items())}
                builds.append((self._built(placeholders), placeholders))
            plan = plans[self] = self._make(builds, connection)
        return plan


class Compiled(_Compiling, Generic[T]):
    """`build(**arguments)` -> a queryset, compiled once per connection; `.all(**values)` runs it.

    `slots` names each argument's kind (int, str or datetime). Rows come back as the queryset's
    iterable makes them (model instances with select_related and annotations, or values)."""

    def _built(self, values: dict[str, Any]) -> QuerySet[Any]:
        queryset = self.build(**values)
        if getattr(queryset, "_prefetch_related_lookups", ()) or getattr(queryset, "_known_related_objects", {}):
            raise ValueError("compiled query: prefetch_related and related managers are not supported")
        return queryset

    def _make(self, builds: list[tuple[Any, dict[str, Any]]], connection: Any) -> _Plan:
        return _Plan(builds, connection)

    def all(self, **values: Any) -> list[T]:
        plan = self._plan(values)
        return [] if plan is None else plan.run(values)

    def first(self, **values: Any) -> T | None:
        """The first row (build the queryset with its order and `[:1]`), or None."""
        rows = self.all(**values)
        return rows[0] if rows else None


class CompiledUpdate(_Compiling):
    """`build(**arguments)` -> (queryset, {field: value or expression}): the UPDATE that
    `queryset.update(**fields)` runs, compiled once per connection as Compiled compiles a read (the same
    rules for the arguments); `.run(**values)` executes it and returns the number of rows it changed."""

    def _make(self, builds: list[tuple[Any, dict[str, Any]]], connection: Any) -> _UpdatePlan:
        return _UpdatePlan(builds, connection)

    def run(self, **values: Any) -> int:
        plan = self._plan(values)
        return 0 if plan is None else plan.run(values)


class _UpdatePlan:
    def __init__(self, builds: list[tuple[Any, dict[str, Any]]], connection: Any) -> None:
        adapt = _adapter(connection)
        (built, first), (rebuilt, second) = builds
        sql, params = _update_sql(built, connection)
        self.positions = _slot_positions((sql, params), _update_sql(rebuilt, connection), first, second, adapt)
        self.sql, self.params, self.adapt, self.connection = sql, list(params), adapt, connection

    def run(self, values: dict[str, Any]) -> int:
        params = _filled(self.params, self.positions, self.adapt, values)
        with transaction.mark_for_rollback_on_error(self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return int(cursor.rowcount)


def _update_sql(built: tuple[QuerySet[Any], dict[str, Any]], connection: Any) -> tuple[str, Any]:
    """The SQL QuerySet.update(**fields) would run, as it builds it; only an update of the queryset's own
    table (one that needs no read of the rows' keys first)."""
    queryset, fields = built
    query: Any = queryset.query.chain(UpdateQuery)
    query.add_update_values(fields)
    query.annotations = {}
    if query.related_updates or query.count_active_tables() > 1:
        raise ValueError("compiled update: only an update of the queryset's own table, with no join")
    return query.get_compiler(connection=connection).as_sql()
