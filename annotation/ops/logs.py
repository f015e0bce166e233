"""Structured logs: one JSON object per line in production settings (LOG_FORMAT=json, the default when
DEBUG is off), one line per request and one per job, each with its ids, so a log pipeline can follow a
request or a run without parsing prose.

    {"ts": "2026-12-02T15:04:05.123+00:00", "level": "INFO", "logger": "annotation.requests",
     "message": "POST workspace-submit 302", "request_id": "…", "method": "POST", "view": "workspace-submit",
     "path": "/work/17/submit", "status": 302, "duration_ms": 12.4, "user_id": 5}

A request's id is the caller's X-Request-ID when it sends a sane one (a proxy's), else a new one; the
answer carries it back in X-Request-ID. A job's line has the Celery task's name and id, its state
(succeeded, failed, retried), its duration, the error of a failure, and its arguments when they are plain ids.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from typing import Any

from celery.signals import task_postrun, task_prerun

REQUESTS = logging.getLogger("annotation.requests")
JOBS = logging.getLogger("annotation.jobs")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # a header value is attacker text: only this is kept
# What a LogRecord has of its own; everything else on it came through `extra` and goes into the line.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the `extra` fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((k, v) for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_"))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def request_id(header: str | None) -> str:
    """The caller's id when it is a plain token (a proxy's X-Request-ID), else a new one."""
    return header if header and _SANE_ID.match(header) else uuid.uuid4().hex


def log_request(
    *, rid: str, method: str, view: str, path: str, status: int, seconds: float, user_id: int | None
) -> None:
    REQUESTS.info(
        "%s %s %s",
        method,
        view,
        status,
        extra={
            "request_id": rid,
            "method": method,
            "view": view,
            "path": path[:500],
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": user_id,
        },
    )


# --- Jobs: Celery's signals, in the worker (and for eager calls) -------------------------------------

_started: dict[str, float] = {}


def _ids(args: Any, kwargs: Any) -> dict[str, Any]:
    """The job's arguments when they are ids (numbers, short plain strings); never payloads."""
    plain = (int, str)
    values = list(args or ()) + list((kwargs or {}).values())
    if len(values) > 4 or not all(isinstance(v, plain) and len(str(v)) <= 64 for v in values):
        return {}
    return {"job_args": list(args or ()), "job_kwargs": dict(kwargs or {})}


@task_prerun.connect
def _job_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@task_postrun.connect
def _job_finished(
    task_id: str | None = None,
    task: Any = None,
    args: Any = None,
    kwargs: Any = None,
    retval: Any = None,
    state: str | None = None,
    **_: Any,
) -> None:
    """The job's one line, whatever its end: Celery sends this signal after a success, a failure (the
    exception is `retval`) and a retry alike."""
    started = _started.pop(task_id or "", None)
    name = getattr(task, "name", "?")
    outcome = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}.get(state or "", (state or "").lower())
    error = {"error": str(retval)[:500]} if isinstance(retval, BaseException) else {}
    JOBS.log(
        logging.WARNING if outcome == "failed" else logging.INFO,
        "%s %s",
        name,
        outcome,
        extra={
            "job": name,
            "job_id": task_id,
            "state": outcome,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started is not None else None,
            **error,
            **_ids(args, kwargs),
        },
    )
