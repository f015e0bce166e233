"""python manage.py seed_demo — the demo project, its tasks and one user per role (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks import demo


class Command(BaseCommand):
    help = "Create or refresh the demo projects, tasks and users (passwords are reset to the demo password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true", help="seed even with DEBUG off")

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: seed_demo creates accounts with a known password. "
                "Pass --allow-production to do it anyway."
            )
        project = demo.seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready: project '{project.slug}' has {project.tasks.count()} tasks.")
        )
        self.stdout.write("\n".join(demo.login_lines()))
