"""python manage.py rerender [--all] — store the pages' rendering of rows rendered by another RENDER_VERSION."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks import rendering


class Command(BaseCommand):
    help = (
        "Render and store the highlighted code and conversation turns of every task and response whose stored "
        "rendering is of another RENDER_VERSION (pages render those on each view until then); --all: every one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", dest="everything", help="re-render every row, current or not")
        parser.add_argument("--chunk", type=int, default=500, help="rows read and updated at a time (default 500)")

    def handle(self, *args: Any, everything: bool, chunk: int, **options: Any) -> None:
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        tasks = rendering.rerender_tasks(everything=everything, chunk=chunk)
        responses = rendering.rerender_responses(everything=everything, chunk=chunk)
        self.stdout.write(
            self.style.SUCCESS(
                f"re-rendered {tasks} tasks and {responses} responses (RENDER_VERSION {rendering.RENDER_VERSION})"
            )
        )
