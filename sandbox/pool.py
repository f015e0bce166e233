"""A few started containers per language, each waiting for one payload: a run skips the start cost.

A pooled container is never reused: after its one run it is removed and a new one is started in the
background. Containers older than their idle limit retire themselves; the reaper removes leftovers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

from sandbox.docker_backend import DockerBackend, Sandbox, Unavailable
from sandbox.languages import LANGUAGES
from sandbox.languages.base import Language

log = logging.getLogger(__name__)
RETIRE_MARGIN = 30.0  # seconds before the harness's idle limit when we stop handing a container out


class Pool:
    def __init__(self, backend: DockerBackend, *, size: int) -> None:
        self.backend = backend
        self.size = size
        self._ready: dict[str, deque[Sandbox]] = defaultdict(deque)
        self._pending: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._starter = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sandbox-pool")
        self._closed = False

    def take(self, language: Language) -> Sandbox:
        """A started container for `language`: a warm one if there is one, else one started now."""
        sandbox = self._pop_fresh(language.name)
        self._top_up(language)
        return sandbox or self.backend.start(language)

    def warm(self, names: list[str] | None = None) -> None:
        """Start filling the pool for these languages (all by default) without waiting."""
        for name in names or list(LANGUAGES):
            self._top_up(LANGUAGES[name])

    def wait_until_warm(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not any(self._pending.values()):
                    return
            time.sleep(0.02)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sandboxes = [s for queue in self._ready.values() for s in queue]
            self._ready.clear()
        self._starter.shutdown(wait=True, cancel_futures=True)
        for sandbox in sandboxes:
            self.backend.discard(sandbox)

    def _pop_fresh(self, name: str) -> Sandbox | None:
        stale = []
        found = None
        limit = self.backend.limits.idle_seconds - RETIRE_MARGIN
        with self._lock:
            queue = self._ready[name]
            while queue and found is None:
                candidate = queue.popleft()
                if time.monotonic() - candidate.started_at < limit:
                    found = candidate
                else:
                    stale.append(candidate)
        for sandbox in stale:
            self.backend.discard(sandbox)
        return found

    def _top_up(self, language: Language) -> None:
        with self._lock:
            if self._closed:
                return
            missing = self.size - len(self._ready[language.name]) - self._pending[language.name]
            self._pending[language.name] += max(missing, 0)
        for _ in range(max(missing, 0)):
            self._starter.submit(self._start_one, language)

    def _start_one(self, language: Language) -> None:
        try:
            sandbox = self.backend.start(language)
        except Unavailable as exc:
            log.warning("sandbox pool could not start a container: %s", exc)
            sandbox = None
        with self._lock:
            self._pending[language.name] -= 1
            if sandbox is not None and not self._closed:
                self._ready[language.name].append(sandbox)
                return
        if sandbox is not None:
            self.backend.discard(sandbox)
