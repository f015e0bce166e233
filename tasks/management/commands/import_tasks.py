"""python manage.py import_tasks FILE.jsonl --project SLUG — all or nothing, errors as "line N: ..."."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks.importing import ImportRejected, ImportResult, import_tasks
from tasks.models import Project


class Command(BaseCommand):
    help = "Import comparison tasks from a JSONL file into a project (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSONL file, one task per line ('-' for standard input)")
        parser.add_argument("--project", required=True, help="slug of the project to import into")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args: Any, file: Path, project: str, dry_run: bool, **options: Any) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f'no project with slug "{project}" (see the project list, or create it in the admin)')
        try:
            result = self._import(file, target, dry_run)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error)
            if rejected.more:
                self.stderr.write(f"... and {rejected.more} more errors")
            raise CommandError(f"import rejected: {rejected.total} error(s), nothing was written") from None
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result.total} tasks into {target.slug}"))

    def _import(self, file: Path, project: Project, dry_run: bool) -> ImportResult:
        if str(file) == "-":
            return import_tasks(project=project, lines=sys.stdin.buffer, dry_run=dry_run)
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        with file.open("rb") as handle:
            return import_tasks(project=project, lines=handle, dry_run=dry_run)
