"""Start the web server (gunicorn, threaded) and a Celery worker in the foreground; Ctrl-C stops both cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tasks import demo
from tasks.models import User


class Command(BaseCommand):
    help = "Run the platform: web server and Celery worker (with its periodic jobs), stopped together by Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "2")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, addr: str, concurrency: int, web_workers: int, **options: Any) -> None:
        # gunicorn's workers count requests apart: prometheus-client adds them up from files here,
        # emptied at each start (annotation/ops/metrics.py)
        metrics_dir = Path(settings.VAR_DIR) / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        python = sys.executable
        worker_cmd = [
            python,
            "-m",
            "celery",
            "-A",
            "annotation",
            "worker",
            "--beat",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--schedule",
            "var/celerybeat-schedule",
        ]
        # gunicorn with threads, not runserver: runserver adds ~45 ms to every request of a keep-alive
        # client (every browser); static files come from WhiteNoise (from the apps' folders while DEBUG).
        web_cmd = [
            python,
            "-m",
            "gunicorn",
            "annotation.wsgi:application",
            "--bind",
            addr,
            "--worker-class",
            "gthread",
            "--workers",
            str(web_workers),
            "--threads",
            "8",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        ]
        # Own process groups, so Ctrl-C reaches them only through us and they stop in order.
        procs = {
            "worker": subprocess.Popen(worker_cmd, start_new_session=True, env=env),
            "web": subprocess.Popen(web_cmd, start_new_session=True, env=env),
        }
        self._announce_when_ready(addr, procs)
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    self.stderr.write(f"{name} exited with status {proc.returncode}; stopping the platform")
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.3)
        self._stop_all(procs)
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _announce_when_ready(self, addr: str, procs: dict[str, subprocess.Popen[bytes]]) -> None:
        """Print the URL and logins once the server answers, after the worker's start-up banner."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and all(p.poll() is None for p in procs.values()):
            try:
                with urllib.request.urlopen(f"http://{addr}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        lines = ["", f"The platform is running at http://{addr}/  (Ctrl-C stops it)"]
        if User.objects.filter(username="lead").exists():
            lines += demo.login_lines()
        self.stdout.write(self.style.SUCCESS("\n".join([*lines, ""])))

    def _stop_all(self, procs: dict[str, subprocess.Popen[bytes]]) -> None:
        # The worker's main process shuts its pool down itself (warm shutdown); gunicorn's arbiter and
        # its workers are one group, told together.
        procs["worker"].terminate()
        if procs["web"].poll() is None:
            os.killpg(procs["web"].pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
