"""python manage.py sandbox_run --language python --solution s.py --tests t.py [--timeout S] [--json]

Runs the tests against the solution in a fresh sandbox. Exit 0 whenever the sandbox ran, whatever the
verdict; non-zero, with a message that says what to do, when it could not run.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox import languages
from sandbox.results import RunResult, Status
from sandbox.runner import run_suite


class Command(BaseCommand):
    help = "Run a test file against a solution file in a throwaway sandbox container."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", required=True, choices=sorted(languages.LANGUAGES))
        parser.add_argument("--solution", required=True, type=Path, help="the code under test")
        parser.add_argument("--tests", required=True, type=Path, help="a pytest file or a node:test file")
        parser.add_argument("--timeout", type=float, default=None, help="seconds for the whole suite")
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run the tests in the solution's process (trust 'in-process'); also asked by a "
            "'# sandbox: in-process' line in the test file",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(
        self, *args: Any, language: str, solution: Path, tests: Path, timeout: float | None, **options: Any
    ) -> None:
        texts = [self._read(path) for path in (solution, tests)]
        result = run_suite(
            language=language,
            solution=texts[0],
            tests=texts[1],
            timeout=timeout,
            in_process=options["in_process"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            self._summary(result)
        if result.status == Status.UNAVAILABLE:
            raise CommandError(f"the sandbox could not run: {result.message}")

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None

    def _summary(self, result: RunResult) -> None:
        for test in result.tests:
            self.stdout.write(f"{test.outcome:>7}  {test.name}  ({test.duration_ms} ms)")
            if test.message:
                self.stdout.write("         " + test.message.replace("\n", "\n         "))
        self.stdout.write(
            f"\n{result.status}: {result.passed} passed, {result.failed} failed in {result.duration_ms} ms "
            f"(trust: {result.trust})"
        )
        if result.message:
            self.stdout.write(result.message)
