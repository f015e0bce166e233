"""python manage.py export_dataset --project SLUG --format FORMAT --out FILE.jsonl [options]

Writes FILE.jsonl (streamed) and FILE.jsonl.manifest.json, with the same writer as export jobs.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from exporters import formats, query, services
from exporters.models import ExportJob
from tasks.models import Project


class Command(BaseCommand):
    help = "Export a project's judgments as a JSONL preference dataset with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True)
        parser.add_argument("--format", required=True, choices=list(formats.FORMATS))
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--mode", default="judgment", choices=ExportJob.Mode.values)
        parser.add_argument("--gzip", action="store_true", help="compress the file (reproducibly)")
        parser.add_argument("--accepted-only", action="store_true", help="only judgments a reviewer accepted")
        parser.add_argument("--include-gold", action="store_true", help="also the gold tasks (left out by default)")
        parser.add_argument("--min-agreement", type=float, default=None)
        parser.add_argument("--language", action="append", dest="languages", default=[])
        parser.add_argument("--model", action="append", dest="models", default=[], help="keep only these models")
        parser.add_argument("--from", dest="submitted_from", default=None, help="submitted on or after YYYY-MM-DD")
        parser.add_argument("--to", dest="submitted_to", default=None, help="submitted on or before YYYY-MM-DD")

    def handle(self, *args: Any, project: str, format: str, out: Path, mode: str, gzip: bool, **options: Any) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f'no project with slug "{project}"')
        raw_filters = {key: options[key] for key in services.FILTER_KEYS}
        try:
            filters = services.check_options(format=format, mode=mode, filters=raw_filters)
        except services.ExportInvalid as invalid:
            raise CommandError(str(invalid)) from None
        cutoff = timezone.now()
        judgments = query.submitted(target, filters=filters, cutoff=cutoff, after=None).count()
        rows, digest = services.write_dataset(
            project=target,
            format=format,
            mode=mode,
            filters=filters,
            cutoff=cutoff,
            after=None,
            out=out,
            compress=gzip,
        )
        manifest = services.manifest_for(
            project=target,
            format=format,
            mode=mode,
            filters=filters,
            cutoff=cutoff,
            since=None,
            rows=rows,
            judgments=judgments,
            path=out,
            compressed=gzip,
            sha256=digest,
        )
        written = services.write_manifest(out, manifest)
        self.stdout.write(self.style.SUCCESS(f"wrote {rows} rows from {judgments} judgments to {out} ({written.name})"))
