"""The engine's entry point: run a test suite against a solution in a fresh sandbox."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time

from sandbox import languages, verdict
from sandbox.docker_backend import DockerBackend, Sandbox, Unavailable
from sandbox.limits import Limits
from sandbox.pool import Pool
from sandbox.results import RunResult

GRACE_SECONDS = 5.0  # after the harness's own deadline, before the host kills the container
STREAM_CAP = 8 << 20  # bytes of the container's stdout the host reads at most (the harness caps far below)

_lock = threading.Lock()
_backends: dict[int, DockerBackend] = {}
_pools: dict[int, Pool] = {}


def run_suite(
    *,
    language: str,
    solution: str,
    tests: str,
    timeout: float | None = None,
    backend: DockerBackend | None = None,
    pool: Pool | None = None,
) -> RunResult:
    """Run `tests` against `solution` in a new container and say what happened, test by test."""
    lang = languages.get(language)
    backend = backend or (pool.backend if pool else default_backend())
    limits = backend.limits
    timeout = limits.clamp_timeout(timeout)
    try:
        image_id = backend.image_id()
        sandbox = pool.take(lang) if pool else backend.start(lang)
    except Unavailable as exc:
        return RunResult.unavailable(str(exc))
    nonce = secrets.token_hex(16)
    payload = json.dumps(
        {
            "nonce": nonce,
            "timeout": timeout,
            "output_cap": limits.output_bytes,
            "files": lang.files(solution=solution, tests=tests),
            "command": list(lang.command) or None,
            "args": lang.go_args(),
        }
    ).encode()
    try:
        raw = backend.execute(
            sandbox, payload, deadline=time.monotonic() + timeout + GRACE_SECONDS, stream_cap=STREAM_CAP
        )
    except OSError:
        # A pooled container that died while waiting (engine restart, reaper): one fresh try.
        try:
            fresh: Sandbox = backend.start(lang)
        except Unavailable as exc:
            return RunResult.unavailable(str(exc))
        raw = backend.execute(
            fresh, payload, deadline=time.monotonic() + timeout + GRACE_SECONDS, stream_cap=STREAM_CAP
        )
    end = verdict.ContainerEnd(
        harness=extract_frame(raw.stdout, nonce),
        exit_code=raw.exit_code,
        oom_killed=raw.oom_killed,
        host_timeout=raw.host_timeout,
        host_flood=raw.host_flood,
        harness_stderr=raw.stderr.decode("utf-8", "replace"),
    )
    result = verdict.judge(end, timeout=timeout, output_cap=limits.output_bytes)
    result.image_id = image_id
    return result


def extract_frame(stdout: bytes, nonce: str) -> dict[str, object] | None:
    """The harness's result, framed by this run's nonce; anything else on stdout is ignored."""
    begin, end = f"\n{nonce}:BEGIN\n".encode(), f"\n{nonce}:END\n".encode()
    start = stdout.find(begin)
    stop = stdout.find(end, start + len(begin)) if start >= 0 else -1
    if start < 0 or stop < 0:
        return None
    try:
        data = json.loads(stdout[start + len(begin) : stop])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def default_backend() -> DockerBackend:
    """One backend per process, on the limits from settings (a forked worker builds its own)."""
    with _lock:
        if os.getpid() not in _backends:
            _backends[os.getpid()] = DockerBackend(Limits.from_settings())
        return _backends[os.getpid()]


def close_default_pool() -> None:
    """Remove this process's warm containers, if it has a pool (a worker shutting down)."""
    with _lock:
        pool = _pools.pop(os.getpid(), None)
    if pool is not None:
        pool.close()


def default_pool() -> Pool:
    """One pool of warm containers per process, sized by SANDBOX_POOL_SIZE."""
    from django.conf import settings

    backend = default_backend()
    with _lock:
        if os.getpid() not in _pools:
            _pools[os.getpid()] = Pool(backend, size=settings.SANDBOX_POOL_SIZE)
        return _pools[os.getpid()]
