"""The engine's entry point: run a test suite against a solution in a fresh sandbox."""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time

from sandbox import languages, slots, verdict
from sandbox.docker_backend import DockerBackend, Raw, Sandbox, SendFailed, Unavailable
from sandbox.languages.base import Language
from sandbox.limits import Limits
from sandbox.pool import Pool
from sandbox.results import RunResult, Status

log = logging.getLogger(__name__)
GRACE_SECONDS = 5.0  # after the harness's own deadline, before the host kills the container
STREAM_CAP = 8 << 20  # bytes of the container's stdout the host reads at most (the harness caps far below)
PAYLOAD_CAP = 8 << 20  # what the harness accepts (sandbox/harness/harness.py)

_lock = threading.Lock()
_backends: dict[int, DockerBackend] = {}
_pools: dict[int, Pool] = {}


def run_suite(
    *,
    language: str,
    solution: str,
    tests: str,
    timeout: float | None = None,
    in_process: bool = False,
    backend: DockerBackend | None = None,
    pool: Pool | None = None,
) -> RunResult:
    """Run `tests` against `solution` in a new container and say what happened, test by test.

    The solution runs apart from the tests (trust "isolated") unless `in_process` or the test file's
    `sandbox: in-process` marker asks for both in one process (trust "in-process")."""
    lang = languages.get(language)
    in_process = in_process or lang.wants_in_process(tests)
    trust = "in-process" if in_process else "isolated"
    try:
        result = _run(lang, solution, tests, timeout, in_process, backend, pool)
    except Exception as exc:  # a bug or an engine gone mad: a verdict that says so, never a traceback
        log.exception("sandbox run failed")
        result = RunResult(
            status=Status.ERROR, message=f"the sandbox failed unexpectedly ({type(exc).__name__}: {exc})"
        )
    result.trust = trust
    return result


def _run(
    lang: Language,
    solution: str,
    tests: str,
    timeout: float | None,
    in_process: bool,
    backend: DockerBackend | None,
    pool: Pool | None,
) -> RunResult:
    backend = backend or (pool.backend if pool else default_backend())
    limits = backend.limits
    timeout = limits.clamp_timeout(timeout)
    nonce = secrets.token_hex(16)
    payload = json.dumps(
        {
            "nonce": nonce,
            "timeout": timeout,
            "output_cap": limits.output_bytes,
            "mode": "in-process" if in_process else "isolated",
            "tests": {"name": lang.test_file, "text": tests},
            "solution": {"name": lang.solution_file, "text": solution},
            "judge_files": lang.judge_files(solution=solution, in_process=in_process),
            "roles": lang.roles(in_process=in_process),
        }
    ).encode()
    if len(payload) > PAYLOAD_CAP:
        return RunResult(
            status=Status.ERROR,
            message=f"the solution and the tests are {len(payload) / 1e6:.1f} MB together; "
            f"the sandbox takes at most {PAYLOAD_CAP / 1e6:.0f} MB",
        )
    try:
        image_id = backend.image_id()
        sandbox = pool.take(lang) if pool else backend.start(lang)
    except Unavailable as exc:
        return RunResult.unavailable(str(exc))
    with slots.hold(limits.host_slots()):
        try:
            raw = _execute(backend, sandbox, payload, timeout)
        except SendFailed:
            # A pooled container that died while waiting (engine restart, reaper): nothing of the
            # payload ran, so one fresh try.
            try:
                fresh = backend.start(lang)
            except Unavailable as exc:
                return RunResult.unavailable(str(exc))
            try:
                raw = _execute(backend, fresh, payload, timeout)
            except SendFailed as exc:
                return RunResult(status=Status.ERROR, message=f"the sandbox did not take the tests ({exc})")
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


def _execute(backend: DockerBackend, sandbox: Sandbox, payload: bytes, timeout: float) -> Raw:
    deadline = time.monotonic() + timeout + GRACE_SECONDS
    return backend.execute(sandbox, payload, deadline=deadline, stream_cap=STREAM_CAP)


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
