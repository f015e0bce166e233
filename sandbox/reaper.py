"""Remove sandbox containers that nobody will remove: those of crashed workers and retired pool ones."""

from __future__ import annotations

import datetime as dt
import logging

import docker.errors

from sandbox import workers
from sandbox.docker_backend import LABEL, OWNER, DockerBackend

log = logging.getLogger(__name__)
FINISHED_GRACE = dt.timedelta(seconds=60)  # a live run inspects its container right after it ends


def reap_containers(backend: DockerBackend, *, now: dt.datetime | None = None) -> list[str]:
    """Remove our containers that ended over a minute ago, whose starting process on this host died,
    or that have run past any run's lifetime."""
    now = now or dt.datetime.now(dt.UTC)
    limits = backend.limits
    max_age = dt.timedelta(seconds=limits.idle_seconds + limits.max_timeout + 120)
    removed = []
    for container in backend.client.containers.list(all=True, filters={"label": LABEL}):
        state = container.attrs["State"]
        created = _parse(container.attrs["Created"])
        finished = _parse(state.get("FinishedAt"))
        ended = not state.get("Running") and state.get("Status") in ("exited", "dead")
        orphan = not workers.is_alive(container.labels.get(OWNER, ""))
        too_old = created is not None and now - created > max_age
        if orphan or too_old or (ended and finished and now - finished > FINISHED_GRACE):
            try:
                container.remove(force=True)
                removed.append(container.id)
            except docker.errors.NotFound:
                pass
    if removed:
        log.info("reaped %d sandbox containers", len(removed))
    return removed


def _parse(stamp: str | None) -> dt.datetime | None:
    if not stamp or stamp.startswith("0001-"):
        return None
    # Docker gives nanoseconds: 2026-11-22T02:43:01.123456789Z
    head, _, frac = stamp.rstrip("Z").partition(".")
    return dt.datetime.fromisoformat(head).replace(tzinfo=dt.UTC) + dt.timedelta(
        microseconds=int((frac or "0")[:6].ljust(6, "0"))
    )
