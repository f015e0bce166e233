"""Writes that survive a busy SQLite: SQLite has one writer at a time, and a writer that waited its whole
`timeout` for the lock gets "database is locked". A short write that lost that race is worth trying again
a few times before the user sees an error; a long one is not (make it shorter instead).

PostgreSQL never says "database is locked", so there the helper only runs the write once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")

LOCK_RETRIES = 3  # attempts after the first
LOCK_RETRY_WAIT = 0.05  # seconds before the first retry; doubled before each next one


def is_locked(error: BaseException) -> bool:
    """SQLite's answer to a writer that could not get the lock (or a table lock) in time."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def retry_if_locked(
    write: Callable[[], T],
    *,
    retries: int = LOCK_RETRIES,
    wait: float = LOCK_RETRY_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `write` (a whole transaction of its own, e.g. a function wrapping `transaction.atomic()`), and
    run it again, at most `retries` more times with a doubling wait, while SQLite says the database is
    locked. Inside an outer transaction nothing is retried: the outer transaction has already failed,
    and only its owner can start it again."""
    for attempt in range(retries + 1):
        try:
            return write()
        except OperationalError as error:
            if not is_locked(error) or connection.in_atomic_block or attempt == retries:
                raise
            sleep(wait * 2**attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover
