"""The limits of one sandbox run, from settings (SANDBOX_*); the engine itself takes them explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    image: str = "code-preference-sandbox:bookworm-1"
    timeout: float = 20.0  # seconds of wall clock for the whole suite
    max_timeout: float = 120.0
    memory_mb: int = 512  # memory and memory+swap: no swap
    cpus: float = 1.0
    pids: int = 128
    work_mb: int = 32  # /work, the tmpfs holding the solution and tests
    tmp_mb: int = 32
    shm_mb: int = 16
    output_bytes: int = 64 * 1024  # per stream; the head is kept
    idle_seconds: int = 600  # a pooled container waiting this long retires
    runtime: str = ""  # the OCI runtime: "" for the engine's default (runc), "runsc" for gVisor
    concurrency: int = 0  # runs at once on this host, all workers together; 0: cores / cpus

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            image=settings.SANDBOX_IMAGE,
            timeout=settings.SANDBOX_TIMEOUT,
            max_timeout=settings.SANDBOX_MAX_TIMEOUT,
            memory_mb=settings.SANDBOX_MEMORY_MB,
            cpus=settings.SANDBOX_CPUS,
            pids=settings.SANDBOX_PIDS,
            work_mb=settings.SANDBOX_WORK_MB,
            tmp_mb=settings.SANDBOX_TMP_MB,
            shm_mb=settings.SANDBOX_SHM_MB,
            output_bytes=settings.SANDBOX_OUTPUT_BYTES,
            idle_seconds=settings.SANDBOX_IDLE_SECONDS,
            runtime=settings.SANDBOX_RUNTIME,
            concurrency=settings.SANDBOX_CONCURRENCY,
        )

    def clamp_timeout(self, requested: float | None) -> float:
        return min(max(requested or self.timeout, 1.0), self.max_timeout)

    def host_slots(self) -> int:
        """How many runs may execute at once on this host: each gets its CPUs, so one run's timeout is
        never caused by the others."""
        return self.concurrency or max(1, int((os.cpu_count() or 1) // max(self.cpus, 0.1)))
