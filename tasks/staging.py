"""Import files on disk rather than in memory: the upload page's checked file, kept under
MEDIA_ROOT/imports/ until the lead confirms it (or UPLOAD_RETENTION_HOURS pass), and an API body,
copied to a temporary file while it is imported. The import then reads them line by line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings

FOLDER = "imports"
_CHUNK = 1024 * 1024


class BodyTooLarge(Exception):
    """The body is over the limit; the message names it and the setting."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def staged_path(staged: str) -> Path:
    """The file of a staged upload. `staged` is a uuid4 hex this server made, kept in the session, never
    a path from the client; anything else raises ValueError."""
    return folder() / f"{uuid.UUID(hex=staged).hex}.jsonl"


def stage(chunks: Iterable[bytes]) -> str:
    """Write an upload under the staging folder; returns its name for staged_path()."""
    staged = uuid.uuid4().hex
    path = staged_path(staged)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return staged


def discard(staged: str | None) -> None:
    """Delete a staged upload, if there is one by that name."""
    if staged:
        with contextlib.suppress(ValueError):  # not a name this server made: nothing of ours to delete
            staged_path(staged).unlink(missing_ok=True)


def delete_stale_uploads(*, older_than: dt.timedelta, now: float | None = None) -> int:
    """Delete staged uploads last written more than `older_than` ago (a lead who uploaded and never
    confirmed); returns how many. A confirm after that asks for the file again."""
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    deleted = 0
    for path in folder().glob("*.jsonl") if folder().is_dir() else []:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # a confirm took it meanwhile
            continue
    return deleted


def spool(stream: _Readable | None, *, limit: int, declared: str | None = None) -> IO[bytes]:
    """Copy a request body into a temporary file (deleted when closed), chunk by chunk, and return it
    rewound; BodyTooLarge once it passes `limit` bytes, at once when its Content-Length (`declared`) does."""
    too_large = BodyTooLarge(f"the body is over {limit:,} bytes (IMPORT_MAX_FILE_BYTES): split the file")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it: the import reads it after we return)
    size = 0
    while stream is not None and (chunk := stream.read(_CHUNK)):
        size += len(chunk)
        if size > limit:
            out.close()
            raise too_large
        out.write(chunk)
    out.seek(0)
    return out
