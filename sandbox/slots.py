"""Host-wide run slots: at most `count` sandbox runs execute at once on this machine, across every
worker process, so each run gets the CPUs its container is allowed and a spinning run never makes an
honest one time out. A slot is an exclusive lock on a file; the kernel frees it if the holder dies."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DIRECTORY = Path(tempfile.gettempdir()) / "code-preference-sandbox-slots"
POLL_SECONDS = 0.02


@contextlib.contextmanager
def hold(count: int, *, directory: Path = DIRECTORY) -> Iterator[int]:
    """Wait for a free slot among `count` and hold it for the block; yields the slot's number."""
    directory.mkdir(mode=0o1777, parents=True, exist_ok=True)
    while True:
        for slot in range(count):
            fd = os.open(directory / f"slot-{slot}", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield slot
            finally:
                os.close(fd)  # closing releases the lock
            return
        time.sleep(POLL_SECONDS)
