"""python manage.py seed_demo — the demo projects, tasks, one user per role, and demo judgments (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation.management import demo as demo_judgments
from tasks import demo
from tasks.models import User


class Command(BaseCommand):
    help = "Create or refresh the demo projects, tasks and users (passwords are reset to the demo password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true", help="seed even with DEBUG off")
        parser.add_argument("--no-judgments", action="store_true", help="projects, tasks and users only")

    def handle(self, *args: Any, allow_production: bool, no_judgments: bool, **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: seed_demo creates accounts with a known password. "
                "Pass --allow-production to do it anyway."
            )
        project = demo.seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready: project '{project.slug}' has {project.tasks.count()} tasks.")
        )
        if not no_judgments:
            annotators = list(User.objects.filter(username__in=demo.DEMO_ANNOTATORS).order_by("username"))
            lead = User.objects.get(username="lead")
            self.stdout.write(demo_judgments.seed_demo_judgments(project=project, annotators=annotators, lead=lead))
        self.stdout.write("\n".join(demo.login_lines()))
