"""Who is running what: a worker is named host:pid, and only this host can tell if its pids are alive."""

import os
import socket


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_alive(worker: str) -> bool:
    """Whether the process named host:pid still runs; one on another host is assumed alive."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not (pid.isascii() and pid.isdigit()):  # isdigit alone takes "²"
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
