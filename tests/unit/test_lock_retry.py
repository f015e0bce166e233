"""tasks.db.retry_if_locked: a short write that found SQLite locked is tried again, a few times only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import OperationalError

from tasks.db import LOCK_RETRIES, retry_if_locked


def failing(times: int, error: Exception) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "written"

    return write, calls


def test_a_locked_write_is_tried_again_with_a_doubling_wait() -> None:
    write, calls = failing(2, OperationalError("database is locked"))
    waits: list[float] = []

    assert retry_if_locked(write, wait=0.05, sleep=waits.append) == "written"
    assert len(calls) == 3 and waits == [0.05, 0.1]


def test_it_gives_up_after_the_last_retry_with_the_lock_error() -> None:
    write, calls = failing(99, OperationalError("database is locked"))

    with pytest.raises(OperationalError, match="locked"):
        retry_if_locked(write, sleep=lambda _: None)
    assert len(calls) == LOCK_RETRIES + 1


def test_other_database_errors_are_not_retried() -> None:
    write, calls = failing(1, OperationalError("no such table: task"))

    with pytest.raises(OperationalError, match="no such table"):
        retry_if_locked(write, sleep=lambda _: None)
    assert len(calls) == 1


def test_inside_an_outer_transaction_nothing_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outer transaction already failed: only its owner can run it again."""
    from django.db import connection

    monkeypatch.setattr(connection, "in_atomic_block", True)
    write, calls = failing(1, OperationalError("database is locked"))

    with pytest.raises(OperationalError):
        retry_if_locked(write, sleep=lambda _: None)
    assert len(calls) == 1
