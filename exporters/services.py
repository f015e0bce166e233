"""Exports: start a job, write the dataset (streamed, reproducible, verified), and its manifest."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from annotation.webhooks import services as webhooks
from exporters import consensus, formats, query, schema, writers
from exporters.models import ExportJob
from exporters.options import ExportInvalid, ExportOptions
from exporters.records import ConsensusRecord, JudgmentRecord
from tasks.models import Project, User

PROGRESS_EVERY = 1000


class NoRows(ExportInvalid):
    """The export would write no row: it fails with the reason (an empty file that ends "done" would
    pass for a dataset); the partial file is removed."""


def empty_reason(
    format: str, judgments_read: int, *, submitted: int, report: formats.Report, incremental: bool = False
) -> str:
    """Why an export of `format` that read `judgments_read` judgments (of the `submitted` in the project)
    gives no row, saying what to change."""
    if judgments_read == 0:
        since = " submitted after the export this one continues" if incremental else ""
        return (
            f"no submitted judgment{since} matches the filters "
            f"(the project has {submitted} submitted judgment{'' if submitted == 1 else 's'} in total)"
        )
    if report.tasks == 0:
        return f"no task reaches the minimum agreement (of {judgments_read} judgments read)"
    if report.dropped:
        return f"the contradictions policy dropped every row ({report.dropped}): choose keep to export both sides"
    if format == "sft":
        return "no judgment has an ideal solution"
    if format in formats.PAIRED:
        return "no judgment ranks one response above another (ties and 'all unacceptable' give no pairs)"
    if format.startswith("kto"):
        return "no judgment ranks one response above another or finds them all unacceptable (a full tie gives no row)"
    if format == "verifiable":
        return (
            f"no task has a reference response and a test file it passed ({report.skipped.no_reference} tasks "
            f"without a reference, gold or the top choice of most judgments; {report.skipped.no_passing_test} "
            "whose reference passed no annotator's last test run)"
        )
    return f"no judgment gives a {format} row (of {judgments_read} read)"


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
        error = str(exc) if isinstance(exc, NoRows) else f"{type(exc).__name__}: {exc}"
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, error=error, finished_at=timezone.now()
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

    written = write_export(
        project=job.project,
        options=options,
        cutoff=job.cutoff,
        after=after,
        out=path,
        judgments=total,
        on_progress=progress,
        export_id=job.pk,
    )
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            row_count=written.rows,
            sha256=written.sha256,
            manifest=written.manifest,
            progress=total,
            file=str(path.relative_to(settings.MEDIA_ROOT)),
            finished_at=timezone.now(),
        )
        _emit_finished(job.pk)


def export_file(*, project: Project, options: ExportOptions, out: Path) -> tuple[int, int, Path]:
    """Write everything submitted so far to `out` and its manifest beside it, without a job (the
    command); returns the rows, the judgments read and the manifest's path. NoRows when there is none."""
    cutoff = timezone.now()
    judgments = query.submitted(project, filters=options.filters(), cutoff=cutoff, after=None).count()
    written = write_export(project=project, options=options, cutoff=cutoff, after=None, out=out, judgments=judgments)
    return written.rows, judgments, manifest_path(out)


@dataclass
class Written:
    rows: int
    sha256: str
    manifest: dict[str, Any]


def write_export(
    *,
    project: Project,
    options: ExportOptions,
    cutoff: datetime,
    after: datetime | None,
    out: Path,
    judgments: int,
    on_progress: Callable[[int], None] | None = None,
    export_id: int | None = None,
) -> Written:
    """The dataset at `out` in the options' output (JSONL, Parquet, or an hf folder zipped), with
    `<out>.features.json` and `<out>.manifest.json` beside it."""
    report = formats.Report()
    rows, digest = write_dataset(
        project=project,
        format=options.format,
        mode=options.mode,
        filters=options.filters(),
        cutoff=cutoff,
        after=after,
        out=out,
        compress=options.gzip,
        on_progress=on_progress,
        options=options,
        report=report,
        manifest=lambda counts: manifest_for(
            project=project,
            options=options,
            cutoff=cutoff,
            rows=sum(counts.values()),
            judgments=judgments,
            path=out,
            sha256=None,
            report=report,
            export_id=export_id,
        ),
    )
    manifest = manifest_for(
        project=project,
        options=options,
        cutoff=cutoff,
        rows=rows,
        judgments=judgments,
        path=out,
        sha256=digest,
        report=report,
        export_id=export_id,
    )
    features = formats.columns(options.format, options.mode, _shape(project, options))
    out.with_name(out.name + ".features.json").write_text(
        json.dumps(schema.features(_with_split(features, options)), indent=2) + "\n", encoding="utf-8"
    )
    write_manifest(out, manifest)
    return Written(rows=rows, sha256=digest, manifest=manifest)


def _shape(project: Project, options: ExportOptions) -> formats.Shape:
    shape = options.shape(instructions=project.instructions, metadata_keys=tuple(project.export_metadata_keys))
    return dataclasses.replace(shape, image=settings.SANDBOX_IMAGE)


def _with_split(columns: dict[str, schema.Type], options: ExportOptions) -> dict[str, schema.Type]:
    """A `split` column, when there is a split and the output is one file (a folder has a file per split)."""
    return {**columns, "split": "string"} if options.split and options.output != "hf" else columns


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
    options: ExportOptions | None = None,
    report: formats.Report | None = None,
    manifest: Callable[[dict[str, int]], dict[str, Any]] | None = None,
) -> tuple[int, str]:
    """Stream the rows to `out` (via a .partial file renamed at the end); returns rows and sha256.
    No row raises NoRows with empty_reason's reason, inside the writer, so its partial file goes too.
    The same data gives the same bytes: stable order, no timestamps inside, gzip without a name or mtime.
    `options` (default: this format and mode's defaults) say the output and the row shape; `report`
    collects what the manifest says about the rows; `manifest(split counts)` is the hf folder card's."""
    options = options or ExportOptions(format=format, mode=mode, gzip=compress)
    report = report if report is not None else formats.Report()
    shape = _shape(project, options)
    columns = _with_split(formats.columns(format, mode, shape), options)
    shares = options.shares()
    tokens = _tokenizer(options.tokenizer, report)

    def tagged() -> Iterator[tuple[str, dict[str, Any]]]:
        rows = 0
        fields = query.needs(format, mode=mode, metadata_keys=shape.metadata_keys)
        groups = _groups(
            project, mode=mode, filters=filters, cutoff=cutoff, after=after, on_progress=on_progress, fields=fields
        )
        for group in groups:
            split = writers.split_of(group[0].task_id, shares) if shares else ""
            report.tasks += 1
            report.agreement_sum += group[0].agreement or 0.0
            for row in formats.task_rows(format, group, shape, report):
                rows += 1
                report.splits[split] = report.splits.get(split, 0) + 1
                if tokens:
                    tokens(row)
                yield split, ({**row, "split": split} if "split" in columns else row)
        if not rows:
            raise NoRows(_why_empty(project, format, filters=filters, cutoff=cutoff, after=after, report=report))

    out.parent.mkdir(parents=True, exist_ok=True)
    if options.output == "parquet":
        return writers.write_parquet((row for _, row in tagged()), columns, out)
    if options.output == "hf":
        return _write_folder(tagged(), columns, out, options=options, project=project, manifest=manifest)
    return _write_jsonl((row for _, row in tagged()), out, compress=compress)


def _why_empty(
    project: Project,
    format: str,
    *,
    filters: dict[str, Any],
    cutoff: datetime,
    after: datetime | None,
    report: formats.Report,
) -> str:
    read = query.submitted(project, filters=filters, cutoff=cutoff, after=after).count()
    submitted = query.submitted(project, filters={"include_gold": True}, cutoff=cutoff, after=None).count()
    return empty_reason(format, read, submitted=submitted, report=report, incremental=after is not None)


# A JSONL line: json.dumps(row, ensure_ascii=False), with one encoder for every row (check_circular only
# chooses the error a row that contains itself raises; rows are trees).
JSON_LINE = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _write_jsonl(rows: Iterator[dict[str, Any]], out: Path, *, compress: bool) -> tuple[int, str]:
    partial = out.with_name(out.name + ".partial")
    count = 0
    try:
        with partial.open("wb", buffering=1 << 20) as raw:
            sink = cast(IO[bytes], gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)) if compress else raw
            try:
                encode = JSON_LINE.encode
                for row in rows:
                    sink.write(encode(row).encode() + b"\n")
                    count += 1
            finally:
                if compress:
                    sink.close()
        digest = writers.file_sha256(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count, digest


def _write_folder(
    rows: Iterator[tuple[str, dict[str, Any]]],
    columns: dict[str, schema.Type],
    out: Path,
    *,
    options: ExportOptions,
    project: Project,
    manifest: Callable[[dict[str, int]], dict[str, Any]] | None,
) -> tuple[int, str]:
    """An hf folder (a Parquet file per split, features.json, README.md card) in a temporary folder
    beside `out`, zipped to `out`; the folder is removed either way."""
    name = out.name.removesuffix(".zip")
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=out.parent)) / name
    splits = [split for split, _ in options.shares()]

    def card(counts: dict[str, int]) -> str:
        return writers.dataset_card(
            name=name,
            pretty_name=f"{project.name}: {options.format}",
            license=options.license,
            columns=columns,
            splits=counts,
            manifest=manifest(counts) if manifest else {},
            about=about(project, options),
        )

    try:
        counts = writers.write_folder(rows, columns, work, splits=splits, card=card)
        digest = writers.zip_folder(work, out)
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    return sum(counts.values()), digest


def about(project: Project, options: ExportOptions) -> dict[str, Any]:
    """What the dataset card says about how the judgments were made."""
    reviewed = (
        "only judgments whose last review accepted them"
        if options.accepted_only
        else f"every submitted judgment; {project.review_sample_rate:.0%} of them sampled for review"
    )
    return {
        "project": project.name,
        "instructions": project.instructions,
        "ranking_mode": project.ranking_mode,
        "rubric": project.rubric,
        "overlap": project.overlap,
        "review": reviewed,
        "min_tests": project.min_tests,
        "format": options.format,
        "shares": list(options.shares()),
    }


def _tokenizer(name: str, report: formats.Report) -> Callable[[dict[str, Any]], None] | None:
    """A function adding a row's token lengths to the report, if `name` is a tokenizer on this machine
    (transformers, local files only); else None, with the reason in the report."""
    if not name:
        return None
    try:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
    except Exception as missing:  # not installed, not downloaded, not a tokenizer: say so, export anyway
        report.tokens_unavailable = f"{name}: {type(missing).__name__}: {missing}"[:300]
        return None
    report.tokenizer = name

    def count(row: dict[str, Any]) -> None:
        prompt, completions = formats.texts(row)
        report.prompt_tokens.add(len(tokenizer(prompt)["input_ids"]))
        for text in completions:
            report.completion_tokens.add(len(tokenizer(text)["input_ids"]))

    return count


def _groups(
    project: Project,
    *,
    mode: str,
    filters: dict[str, Any],
    cutoff: datetime,
    after: datetime | None,
    on_progress: Callable[[int], None] | None,
    fields: Collection[str] = query.EVERYTHING,
) -> Iterator[list[JudgmentRecord] | list[ConsensusRecord]]:
    """Each task's records, one task at a time: its judgments (with the task's agreement), or its consensus;
    `fields`, the records' optional fields to read (query.needs)."""
    qs = query.submitted(project, filters=filters, cutoff=cutoff, after=after)
    minimum = filters.get("min_agreement")
    read = 0
    for group in query.by_task(query.records(qs, models=filters.get("models"), fields=fields)):
        read += len(group)
        if on_progress and read // PROGRESS_EVERY != (read - len(group)) // PROGRESS_EVERY:
            on_progress(read)
        score = consensus.agreement(group)
        if minimum is not None and score < minimum:
            continue
        if mode == ExportJob.Mode.CONSENSUS:
            yield [consensus.consensus(group)]
        else:
            for record in group:
                record.agreement = score
            yield group


def manifest_for(
    *,
    project: Project,
    options: ExportOptions,
    cutoff: datetime,
    rows: int,
    judgments: int,
    path: Path,
    sha256: str | None,
    report: formats.Report,
    export_id: int | None = None,
) -> dict[str, Any]:
    """What a pipeline checks before training: what was exported, how, how much, and the file's hash."""
    return {
        "schema_version": formats.SCHEMA_VERSION,
        "project": project.slug,
        "format": options.format,
        "mode": options.mode,
        "output": options.output,
        "filters": options.filters(),
        "options": options.shape_options(),
        "incremental_since": options.since,
        "cutoff": cutoff.isoformat(),
        "counts": {"rows": rows, "judgments": judgments, "tasks": report.tasks},
        "splits": {name: n for name, n in sorted(report.splits.items()) if name} or None,
        "agreement": {"mean_over_tasks": round(report.agreement_sum / report.tasks, 4) if report.tasks else None},
        **report.to_dict(options.format),
        "file": path.name,
        "features_file": path.name + ".features.json",
        "gzip": options.gzip,
        "sha256": sha256,
        "created": timezone.now().isoformat(),
        "export_id": export_id,
    }


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    target = manifest_path(path)
    target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
