"""Exports: start a job, write the dataset (streamed, reproducible, verified), and its manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from annotation.webhooks import services as webhooks
from exporters import consensus, formats, query
from exporters.models import ExportJob
from exporters.options import ExportInvalid, ExportOptions
from exporters.records import ConsensusRecord, JudgmentRecord
from tasks.models import Project, User

PROGRESS_EVERY = 1000


def start_export(*, project: Project, user: User | None, options: ExportOptions) -> ExportJob:
    """Record an export and enqueue its job once the transaction commits."""
    from exporters import jobs

    _check_since(project=project, since=options.since)
    job = ExportJob.objects.create(project=project, created_by=user, cutoff=timezone.now(), **options.to_dict())
    transaction.on_commit(lambda: jobs.run_export.delay(job.pk))
    return job


def _check_since(*, project: Project, since: int | None) -> None:
    if since is None:
        return
    if not ExportJob.objects.filter(pk=since, project=project, status=ExportJob.Status.DONE).exists():
        raise ExportInvalid(
            f"an incremental export starts after a finished export of the same project (export {since} is not one)"
        )


def run_export(*, job: ExportJob, takeover: bool = False) -> ExportJob:
    """Write the job's file. A job already running or done (a delivery twice) is left alone, unless
    `takeover`: Celery redelivered it because the worker writing it died, so it starts over."""
    claimable = [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING] if takeover else [ExportJob.Status.QUEUED]
    if not ExportJob.objects.filter(pk=job.pk, status__in=claimable).update(status=ExportJob.Status.RUNNING):
        job.refresh_from_db()
        return job
    try:
        _write_job(job)
    except Exception as exc:  # whatever went wrong, the job must not stay "running"
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
            )
            _emit_finished(job.pk)
    job.refresh_from_db()
    return job


def _emit_finished(job_id: int) -> None:
    """export.finished for the project's webhooks, inside the change that finished the job."""
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    done = job.status == ExportJob.Status.DONE
    data = {
        "export_id": job.pk,
        "status": job.status,
        "format": job.format,
        "mode": job.mode,
        "rows": job.row_count if done else None,
        "sha256": job.sha256 if done else None,
        "error": job.error,
        "download": reverse("api-export-download", args=[job.pk]) if done else None,
    }
    webhooks.emit(project=job.project, event="export.finished", data=data)


def _write_job(job: ExportJob) -> None:
    """Write the file and manifest of a claimed job from the options stored on it, then mark it done."""
    options = ExportOptions.from_stored(job)
    path = Path(settings.MEDIA_ROOT) / "exports" / job.project.slug / job.filename
    after = job.since.cutoff if job.since else None
    total = query.submitted(job.project, filters=options.filters(), cutoff=job.cutoff, after=after).count()
    ExportJob.objects.filter(pk=job.pk).update(total=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=done)

    rows, digest = write_dataset(
        project=job.project,
        format=options.format,
        mode=options.mode,
        filters=options.filters(),
        cutoff=job.cutoff,
        after=after,
        out=path,
        compress=options.gzip,
        on_progress=progress,
    )
    manifest = build_manifest(job=job, options=options, rows=rows, sha256=digest, judgments=total, path=path)
    write_manifest(path, manifest)
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            row_count=rows,
            sha256=digest,
            manifest=manifest,
            progress=total,
            file=str(path.relative_to(settings.MEDIA_ROOT)),
            finished_at=timezone.now(),
        )
        _emit_finished(job.pk)


def export_file(*, project: Project, options: ExportOptions, out: Path) -> tuple[int, int, Path]:
    """Write everything submitted so far to `out` and its manifest beside it, without a job (the
    command); returns the rows, the judgments read and the manifest's path."""
    cutoff = timezone.now()
    filters = options.filters()
    judgments = query.submitted(project, filters=filters, cutoff=cutoff, after=None).count()
    rows, digest = write_dataset(
        project=project,
        format=options.format,
        mode=options.mode,
        filters=filters,
        cutoff=cutoff,
        after=None,
        out=out,
        compress=options.gzip,
    )
    manifest = manifest_for(
        project=project,
        format=options.format,
        mode=options.mode,
        filters=filters,
        cutoff=cutoff,
        since=None,
        rows=rows,
        judgments=judgments,
        path=out,
        compressed=options.gzip,
        sha256=digest,
    )
    return rows, judgments, write_manifest(out, manifest)


def write_dataset(
    *,
    project: Project,
    format: str,
    mode: str,
    filters: dict[str, Any],
    cutoff: datetime,
    after: datetime | None,
    out: Path,
    compress: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[int, str]:
    """Stream the rows to `out` (via a .partial file renamed at the end); returns rows and sha256.
    The same data gives the same bytes: stable order, no timestamps inside, gzip without a name or mtime."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    make_rows = formats.FORMATS[format]
    count = 0
    try:
        with partial.open("wb") as raw:
            sink = cast(IO[bytes], gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)) if compress else raw
            try:
                for record in _records(
                    project, mode=mode, filters=filters, cutoff=cutoff, after=after, on_progress=on_progress
                ):
                    for row in make_rows(record):
                        sink.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                        count += 1
            finally:
                if compress:
                    sink.close()
        digest = _sha256(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count, digest


def _records(
    project: Project,
    *,
    mode: str,
    filters: dict[str, Any],
    cutoff: datetime,
    after: datetime | None,
    on_progress: Callable[[int], None] | None,
) -> Iterator[JudgmentRecord | ConsensusRecord]:
    qs = query.submitted(project, filters=filters, cutoff=cutoff, after=after)
    minimum = filters.get("min_agreement")
    read = 0
    for group in query.by_task(query.records(qs, models=filters.get("models"))):
        read += len(group)
        if on_progress and read // PROGRESS_EVERY != (read - len(group)) // PROGRESS_EVERY:
            on_progress(read)
        score = consensus.agreement(group)
        if minimum is not None and score < minimum:
            continue
        if mode == ExportJob.Mode.CONSENSUS:
            yield consensus.consensus(group)
        else:
            for record in group:
                record.agreement = score
                yield record


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(
    *, job: ExportJob, options: ExportOptions, rows: int, sha256: str, judgments: int, path: Path
) -> dict[str, Any]:
    return manifest_for(
        project=job.project,
        format=options.format,
        mode=options.mode,
        filters=options.filters(),
        cutoff=job.cutoff,
        since=options.since,
        rows=rows,
        judgments=judgments,
        path=path,
        compressed=options.gzip,
        sha256=sha256,
        export_id=job.pk,
    )


def manifest_for(
    *,
    project: Project,
    format: str,
    mode: str,
    filters: dict[str, Any],
    cutoff: datetime,
    since: int | None,
    rows: int,
    judgments: int,
    path: Path,
    compressed: bool,
    sha256: str,
    export_id: int | None = None,
) -> dict[str, Any]:
    """What a pipeline checks before training: what was exported, how, how much, and the file's hash."""
    return {
        "schema_version": formats.SCHEMA_VERSION,
        "project": project.slug,
        "format": format,
        "mode": mode,
        "filters": filters,
        "incremental_since": since,
        "cutoff": cutoff.isoformat(),
        "counts": {"rows": rows, "judgments": judgments},
        "file": path.name,
        "gzip": compressed,
        "sha256": sha256,
        "created": timezone.now().isoformat(),
        "export_id": export_id,
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    target = path.with_name(path.name + ".manifest.json")
    target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
