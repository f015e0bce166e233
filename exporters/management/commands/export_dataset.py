"""python manage.py export_dataset --project SLUG --format FORMAT --out FILE.jsonl [options]

Writes FILE.jsonl (streamed) and FILE.jsonl.manifest.json, with the same writer as export jobs; an
export with no row writes nothing and exits non-zero with the reason.
The options are ExportOptions' own, so the command refuses what the page and the API refuse.
"""

from dataclasses import MISSING, Field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exporters import options, services
from tasks.models import Project


class Command(BaseCommand):
    help = "Export a project's judgments as a JSONL preference dataset with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True)
        parser.add_argument("--out", required=True, type=Path)
        for option in _on_the_command_line():
            parser.add_argument(option.metadata["flag"], dest=option.name, help=_help(option), **_taken_as(option))

    def handle(self, *args: Any, project: str, out: Path, **given: Any) -> None:
        try:
            chosen = options.ExportOptions.parse({option.name: given[option.name] for option in _on_the_command_line()})
        except options.ExportInvalid as invalid:
            raise CommandError(str(invalid)) from None
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f'no project with slug "{project}"')
        try:
            rows, judgments, manifest = services.export_file(project=target, options=chosen, out=out)
        except services.NoRows as empty:
            raise CommandError(f"nothing written to {out}: {empty}") from None
        self.stdout.write(
            self.style.SUCCESS(f"wrote {rows} rows from {judgments} judgments to {out} ({manifest.name})")
        )


def _on_the_command_line() -> list[Field[Any]]:
    return [option for option in options.ExportOptions.fields() if option.metadata["flag"]]


def _taken_as(option: Field[Any]) -> dict[str, Any]:
    """How argparse reads an option: a switch for a boolean, repeated for a list, else one string
    left for ExportOptions to check (so a bad value gets the page's and the API's message)."""
    if option.metadata["parse"] is options.parse_bool:
        return {"action": "store_true"}
    if option.metadata["parse"] is options.parse_names:
        return {"action": "append", "default": [], "metavar": option.metadata["flag"].lstrip("-").upper()}
    return {"required": True} if option.default is MISSING else {"default": None}


def _help(option: Field[Any]) -> str:
    choices = option.metadata["choices"]
    return option.metadata["help"] + (f" (one of: {', '.join(choices)})" if choices else "")
