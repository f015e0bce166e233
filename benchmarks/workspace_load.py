"""Load on the annotator's steps, over HTTP, on both deployment shapes, against a trivial view.

For each operation an annotator's browser sends, p50, p95, requests per second and the SQL queries of
one such request, at 1 and at 10 concurrent annotators (--annotators), against /ping (same middleware,
same server) measured in the same run:

- claim: POST /projects/<slug>/start, a new claim (the annotator has nothing in hand);
- page, first view and repeat view: GET /work/<id>/, the first time the server shows that task to anyone
  (no worker can have its code rendered and kept) and the annotator's second view of it;
- draft save: POST /work/<id>/draft, the whole form as the page's autosave sends it;
- form submit: POST /work/<id>/submit with a complete form; it redirects to the next task, claimed on the way;
- full browser cycle: what a browser sends for one item (GET the page, POST a draft, POST the submit, 302
  to the next item, whose page is the next cycle's first request), in items per second.

Each operation is a phase of its own, every concurrent annotator (a thread) sending it as fast as the
answers come, so its req/s is its own: its requests over the phase's time. For the five steps each thread
goes through --loops accounts of its own (signed in by the child, sharing the thread's one keep-alive
connection), one step each, so that every claim is a new one (no task in hand); one account per new task
times its first view (see measure()); /ping and the cycle go through the thread's first account. Times
are the requests' own (not the reading of the page's form). A warm-up round comes first. Queries
are counted in-process (django.test.Client and CaptureQueriesContext, BEGIN/COMMIT/ROLLBACK left out as in
tests/annotation/work/test_query_budgets.py) on the same database, by an annotator of their own, after a
warm-up round.

The shapes (--shapes):
  sqlite:   embedded, as `make run` serves: SQLite under a VAR_DIR of its own, gunicorn gthread with
            WEB_WORKERS (2) workers of 8 threads (annotation/management/commands/run_platform.py's command
            line); plus the keep-alive line: the page's p50 with keep-alive (one requests.Session) against
            a new connection per request.
  postgres: production, when DATABASE_URL=postgres://... is set: a fresh database per tree (named after
            DATABASE_URL's, with the tree's name appended), gunicorn with 4 workers.

--root DIR (repeatable; default this checkout) is the code tree that seeds, counts and serves, so the same
run can measure an older commit (a `git worktree`) as the "before"; each tree gets a fresh database. The
seeding and counting run in a child process with the tree as its working directory and first on sys.path.
Seeded: --tasks (10,000) tasks of 3 responses, overlap 3, min_tests 0 (a submit needs no sandbox run).

    .venv/bin/python benchmarks/workspace_load.py                                   # SQLite only
    DATABASE_URL=postgres://annotation:annotation@127.0.0.1:5432/bench_wl \\
        .venv/bin/python benchmarks/workspace_load.py [--root /tmp/before --root .] [--loops 20] [--sql]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

HERE = Path(__file__).resolve()
CHECKOUT = HERE.parent.parent
PASSWORD = "load-test-password-1"  # the seeded annotators' (the load comes with sessions)
SLUG = "bench-load"
COUNTER = "bench-counter"  # the annotator whose steps are counted in-process, apart from the load's
RATIONALE = "A handles the empty list and a single element; B raises IndexError on [] and C returns None."
FRAMING = ("BEGIN", "COMMIT", "ROLLBACK")
STEPS = ("claim", "page, first view", "page, repeat view", "draft save", "form submit")
CYCLE = "full browser cycle"
PING = "trivial view (/ping)"
PROD_WORKERS = 4
TASK_IN_PAGE = re.compile(r"Task (\d+): write")  # prompt() below
SHAPE_NAMES = {"sqlite": "embedded (SQLite, as make run)", "postgres": "production (PostgreSQL)"}


def annotator_name(n: int) -> str:
    return f"bench-annotator-{n}"


# --- the page's form, read the way the browser's form has it (the same in the child and over HTTP)


def page_form(text: str) -> dict[str, str]:
    """A complete submit of this workspace page: every response ranked in display order (A first) and
    rated on every dimension (the top of its scale), a long enough rationale, the page's base revision."""
    letters = re.findall(r'<select name="rank-([A-Z])"', text)
    if not letters:
        raise AssertionError(f"no ranking fields on the workspace page: {text[:400]!r}")
    data = {f"rank-{letter}": str(n) for n, letter in enumerate(letters, 1)}
    for match in re.finditer(r'<select name="(rating-[A-Z]-[^"]+)"[^>]*>(.*?)</select>', text, re.S):
        scores = [v for v in re.findall(r'value="([^"]*)"', match.group(2)) if v]
        data[match.group(1)] = scores[-1]
    minimum = re.search(r'name="rationale"[^>]*data-min="(\d+)"', text)
    need = int(minimum.group(1)) if minimum else 0
    data["rationale"] = (RATIONALE * (need // len(RATIONALE) + 1))[: max(need, len(RATIONALE))]
    base = re.search(r'name="base_revision"[^>]*value="(\d*)"', text)
    if base:
        data["base_revision"] = base.group(1)
    return data


def work_id(location: str) -> str:
    return urlsplit(location).path.rstrip("/").split("/")[-1]


# --- the child: seeding and query counting with the tree's own code


def child(args: argparse.Namespace) -> None:
    root = Path(args.root[0]).resolve()
    sys.path[:] = [str(root), *(p for p in sys.path if Path(p or ".").resolve() != HERE.parent)]
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    import annotation

    assert Path(annotation.__file__).resolve().is_relative_to(root), f"imported {annotation.__file__}, not {root}"
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    prepared = time.perf_counter()
    sessions = seed(args.tasks, args.users, Path(settings.VAR_DIR))
    seeded = time.perf_counter()
    queries = count_queries()
    result = {
        "database": f"{connection.vendor} ({connection.settings_dict['NAME']})",
        "migrate_s": prepared - started,
        "seed_s": seeded - prepared,
        "queries": queries,
        "sessions": sessions,
    }
    Path(args.out).write_text(json.dumps(result))


def seed(tasks: int, users: int, var_dir: Path) -> list[str]:
    """The project and its tasks, `users` annotators and the counting one; the annotators' session keys
    (signed in as a login does, through the tree's session engine, so the load logs in no one)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from tasks import services
    from tasks.importing import import_tasks
    from tasks.models import RankingMode, Role, User

    project = services.create_project(
        slug=SLUG, name="Workspace load", ranking_mode=RankingMode.RANKING, overlap=3, min_tests=0
    )
    path = var_dir / "bench-tasks.jsonl"
    with path.open("w") as out:
        for i in range(tasks):
            responses = [{"model": f"model-{k}", "code": response_code(i, k)} for k in range(3)]
            task = {"id": f"load-{i:06d}", "prompt": prompt(i), "language": "python", "responses": responses}
            out.write(json.dumps(task) + "\n")
    with path.open("rb") as lines:
        import_tasks(project=project, lines=lines)
    hashed = make_password(PASSWORD)  # one hash for all: hashing is slow on purpose
    sessions = []
    for name in [COUNTER, *(annotator_name(n) for n in range(users))]:
        user = User.objects.create(username=name, password=hashed)
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
        if name != COUNTER:
            client = Client()
            client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[1])  # the tree's password backend
            sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return sessions


def prompt(i: int) -> str:
    return (
        f"Task {i}: write `merge_intervals(intervals)` that merges overlapping closed intervals and returns "
        "them sorted by start. Touching intervals ([1, 2] and [2, 3]) merge; the input may be empty or unsorted."
    )


def response_code(i: int, k: int) -> str:
    """About 20 lines of Python per response, different for every task and response (what Pygments renders)."""
    guard = ["if not intervals:\n        return []", "if len(intervals) == 0:\n        return []", "pass"][k]
    compare = ["<=", "<", "<="][k]
    return (
        f'"""Variant {k} of task {i}."""\n\nfrom typing import List\n\n\n'
        f"def merge_intervals(intervals: List[List[int]]) -> List[List[int]]:\n"
        f"    {guard}\n"
        "    ordered = sorted(intervals, key=lambda pair: (pair[0], pair[1]))\n"
        "    merged: List[List[int]] = [list(ordered[0])] if ordered else []\n"
        "    for start, end in ordered[1:]:\n"
        "        last = merged[-1]\n"
        f"        if start {compare} last[1]:  # overlapping or touching\n"
        "            last[1] = max(last[1], end)\n"
        "        else:\n"
        "            merged.append([start, end])\n"
        f"    return merged  # {i}-{k}\n\n\n"
        "if __name__ == '__main__':\n"
        f"    print(merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18], [{i % 7}, {i % 7 + k}]]))\n"
    )


def count_queries() -> dict[str, list[str]]:
    """The statements of each step, as one annotator's browser sends them, after a warm-up round."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tasks.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=COUNTER), backend=settings.AUTHENTICATION_BACKENDS[1])
    counts: dict[str, list[str]] = {}

    def step(name: str, action: Callable[[], Any]) -> Any:
        with CaptureQueriesContext(connection) as captured:
            answer = action()
        counted = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(FRAMING)]
        counts[name] = counts.get(name, []) + counted
        return answer

    def claim() -> str:
        answer = client.post(f"/projects/{SLUG}/start")
        assert answer.status_code == 302 and "/work/" in answer["Location"], (answer.status_code, answer.headers)
        return str(answer["Location"])

    def page(location: str) -> str:
        answer = client.get(location)
        assert answer.status_code == 200, answer.status_code
        return answer.content.decode()

    def draft(location: str, form: dict[str, str]) -> None:
        answer = client.post(f"/work/{work_id(location)}/draft", form)
        assert answer.status_code == 200, (answer.status_code, answer.content[:300])
        if "revision" in answer.json():
            form["base_revision"] = str(answer.json()["revision"])

    def submit(location: str, form: dict[str, str]) -> str:
        answer = client.post(f"/work/{work_id(location)}/submit", form)
        assert answer.status_code == 302 and "/work/" in answer["Location"], (answer.status_code, answer.content[:600])
        return str(answer["Location"])

    def steps(record: bool) -> str:
        run = step if record else lambda _name, action: action()
        location = run("claim", claim)
        form = page_form(run("page, first view", lambda: page(location)))
        run("page, repeat view", lambda: page(location))
        run("draft save", lambda: draft(location, form))
        return str(run("form submit", lambda: submit(location, form)))

    following = steps(record=False)  # warm-up: the process's first requests fill its caches
    client.post(f"/api/v1/assignments/{work_id(following)}/skip", {"reason": "benchmark"}, "application/json")
    following = steps(record=True)
    form = page_form(step(CYCLE, lambda: page(following)))
    step(CYCLE, lambda: draft(following, form))
    step(CYCLE, lambda: submit(following, form))
    return counts


# --- the load: annotators over HTTP


class Annotator:
    """One annotator's browser tab: the session the child signed in, a CSRF cookie, and the task in hand.
    It sends through the keep-alive connection of the load thread that drives it (`phase`)."""

    def __init__(self, base: str, session_key: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")
        self.session.cookies.set("csrftoken", secrets.token_hex(16), domain="127.0.0.1", path="/")
        self.location = ""  # the workspace page of the task in hand
        self.task = ""  # its task's id
        self.viewed: set[str] = set()  # the tasks whose page it opened
        self.waited = 0.0  # seconds spent in requests, since the phase's step began
        self.form: dict[str, str] = {}
        self.parts: dict[str, list[float]] = {"first_view": [], "draft": [], "submit": []}  # the cycles' requests

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        token = str(self.session.cookies.get("csrftoken", domain="127.0.0.1"))
        headers = {"X-CSRFToken": token, "Referer": self.base + "/"}
        started = time.perf_counter()
        answer = self.session.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=120, **kwargs
        )
        self.waited += time.perf_counter() - started  # the request only: not the reading of the page's form
        return answer

    def claim(self) -> None:
        answer = self.request("POST", f"/projects/{SLUG}/start")
        location = answer.headers.get("Location", "")
        assert answer.status_code == 302 and "/work/" in location, ("claim", answer.status_code, location)
        self.location = urlsplit(location).path

    def page(self) -> str:
        answer = self.request("GET", self.location)
        assert answer.status_code == 200, ("page", answer.status_code, answer.text[:300])
        return answer.text

    def first_view(self) -> None:
        text = self.page()
        self.form = page_form(text)
        shown = TASK_IN_PAGE.search(text)  # the seeded prompt's number: which task's code this page rendered
        if shown:
            self.task = f"load-{int(shown.group(1)):06d}"
            self.viewed.add(self.task)

    def identify(self) -> None:
        """Which task is in hand, through the API (which renders no code)."""
        answer = self.request("GET", f"/api/v1/assignments/{work_id(self.location)}")
        assert answer.status_code == 200, ("assignment", answer.status_code, answer.text[:300])
        self.task = str(answer.json()["task"]["id"])

    def draft(self) -> None:
        answer = self.request("POST", f"/work/{work_id(self.location)}/draft", data=self.form)
        assert answer.status_code == 200, ("draft", answer.status_code, answer.text[:300])
        if "revision" in answer.json():  # the page's script takes the saved revision as its new base
            self.form["base_revision"] = str(answer.json()["revision"])

    def submit(self) -> None:
        answer = self.request("POST", f"/work/{work_id(self.location)}/submit", data=self.form)
        following = answer.headers.get("Location", "")
        assert answer.status_code == 302 and "/work/" in following, ("submit", answer.status_code, answer.text[:600])
        self.location, self.form = urlsplit(following).path, {}

    def cycle(self) -> None:
        """One item as a browser does it: the page, an autosave, the submit (to the next item's page);
        each request's time is kept too."""
        for part in (self.first_view, self.draft, self.submit):
            before = self.waited
            part()
            self.parts[part.__name__].append(self.waited - before)

    def ping(self) -> None:
        assert self.request("GET", "/ping").status_code == 200


@dataclass
class Measured:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)  # requests (items for the cycle) per second
    seconds: dict[str, float] = field(default_factory=dict)


Connection = requests.adapters.HTTPAdapter


def phase(
    measured: Measured,
    op: str,
    groups: list[list[Annotator]],
    connections: list[Connection],
    step: Callable[[Annotator], object],
) -> None:
    """`step` for every annotator of each group, a thread per group (a concurrent annotator) sending
    through its own keep-alive connection, timed each; the rate is every request over the phase's time,
    from the first start to the last end."""
    barrier = threading.Barrier(len(groups), timeout=300)
    spans: list[tuple[float, float, float]] = []  # start, end, seconds waited for the answers
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(group: list[Annotator], connection: Connection) -> None:
        try:
            for annotator in group:
                annotator.session.mount("http://", connection)
            barrier.wait()
            for annotator in group:
                annotator.waited = 0.0
                started = time.perf_counter()
                step(annotator)
                ended = time.perf_counter()
                with lock:
                    spans.append((started, ended, annotator.waited))
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(groups, connections, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real = [f for f in failures if not isinstance(f, threading.BrokenBarrierError)]
    if failures:
        raise (real or failures)[0]
    if not spans:
        return
    seconds = max(end for _s, end, _w in spans) - min(start for start, _e, _w in spans)
    measured.latencies[op] = [waited for _s, _e, waited in spans]
    measured.seconds[op] = seconds
    measured.rates[op] = len(spans) / seconds


def measure(groups: list[list[Annotator]], loops: int, shown: set[str]) -> Measured:
    """Each group is one concurrent annotator's `loops` accounts, driven by a thread of its own: the five
    steps go through every account once (so every claim is a new one), the ping and the cycle through the
    thread's first account `loops` times.

    The first view is timed only where no page of this server has shown that task yet (`shown`): the
    queue fills a task's three places one after the other, so two claims in three take a task another
    account has just claimed, whose code a worker may have rendered and kept by the time its page is
    opened. So one account per new task opens it, timed, the accounts spread evenly over the threads;
    the others open theirs untimed. Every account's page is in the repeat view."""
    measured = Measured()
    untimed = Measured()
    connections = [Connection(pool_maxsize=1) for _ in groups]
    firsts = [[group[0]] * loops for group in groups]
    phase(measured, PING, [group * 5 for group in firsts], connections, Annotator.ping)
    phase(measured, "claim", groups, connections, Annotator.claim)
    phase(untimed, "identify", groups, connections, Annotator.identify)
    fresh: dict[str, Annotator] = {}
    for turn in range(loops):
        for group in groups:
            if group[turn].task not in shown:
                fresh.setdefault(group[turn].task, group[turn])
    shown.update(fresh)
    firsts_view = [list(fresh.values())[n :: len(groups)] for n in range(len(groups))]
    phase(measured, "page, first view", firsts_view, connections, Annotator.first_view)
    others = [[a for a in group if a not in fresh.values()] for group in groups]
    phase(untimed, "page, opened elsewhere", others, connections, Annotator.first_view)
    phase(measured, "page, repeat view", groups, connections, Annotator.page)
    phase(measured, "draft save", groups, connections, Annotator.draft)
    phase(measured, "form submit", groups, connections, Annotator.submit)  # each account holds its next task
    phase(measured, CYCLE, firsts, connections, Annotator.cycle)
    shown.update(task for group in groups for a in group for task in a.viewed)
    for name, values in (("page", "first_view"), ("draft", "draft"), ("submit", "submit")):
        measured.latencies[f"{CYCLE}: {name}"] = [v for group in groups for v in group[0].parts[values]]
    return measured


def keep_alive(annotator: Annotator, count: int) -> tuple[list[float], list[float]]:
    """The page's latency with keep-alive (the annotator's connection) and with a new connection each time,
    alternating, on the task it has in hand."""
    kept: list[float] = []
    fresh: list[float] = []
    url = annotator.base + annotator.location
    annotator.session.mount("http://", Connection(pool_maxsize=1))  # one connection, kept alive
    annotator.page()
    for _ in range(count):
        started = time.perf_counter()
        annotator.page()
        kept.append(time.perf_counter() - started)
        started = time.perf_counter()
        answer = requests.get(
            url, cookies=annotator.session.cookies, headers={"Connection": "close"}, allow_redirects=False, timeout=60
        )
        fresh.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.status_code
    return kept, fresh


# --- the server and its database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_label(root: Path) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", root.name.lower()).strip("_")[:20] or "tree"
    return f"{name}_{hashlib.sha256(str(root).encode()).hexdigest()[:6]}"


def describe(root: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return f"{root} @ {done.stdout.strip() or 'no git'}"


def fresh_database(url: str, root: Path) -> str:
    """A new, empty database for this tree next to DATABASE_URL's; its URL."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{(parts.path.lstrip('/') or 'bench_wl')}_{tree_label(root)}"[:63]
    owner = parts.username or "postgres"
    statements = [
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
        sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)),
    ]
    problem = ""
    for maintenance in ("postgres", "template1", parts.path.lstrip("/")):
        try:
            with psycopg.connect(urlunsplit(parts._replace(path=f"/{maintenance}")), autocommit=True) as conn:
                for statement in statements:
                    conn.execute(statement)
            return urlunsplit(parts._replace(path=f"/{name}"))
        except psycopg.errors.InsufficientPrivilege as exc:
            problem = str(exc)
            break
        except psycopg.OperationalError as exc:  # that database is not there or not for us: the next one
            problem = str(exc)
    # no CREATEDB: as the postgres superuser, on this machine
    script = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE); CREATE DATABASE "{name}" OWNER "{owner}";'
    done = subprocess.run(
        ["su", "postgres", "-c", f"psql -v ON_ERROR_STOP=1 -q -c '{script}'"], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(
            f"cannot create the database {name}: {problem.strip()}; and as postgres: {done.stderr.strip()}.\n"
            f"Give {owner} CREATEDB (ALTER ROLE {owner} CREATEDB) or create {name} owned by {owner} yourself."
        )
    return urlunsplit(parts._replace(path=f"/{name}"))


def server_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VAR_DIR", "STATIC_ROOT", "MEDIA_ROOT")}
    env.update(
        DJANGO_SETTINGS_MODULE="annotation.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        PSEUDONYM_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback
        RATE_LIMIT_HEARTBEAT="100000/min",  # the load beats far faster than a person's tab
        LOG_LEVEL="WARNING",  # no line per request
        VAR_DIR=str(var_dir),
        PROMETHEUS_MULTIPROC_DIR=str(var_dir / "metrics"),  # several workers, as make run sets it
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def server_command(shape: str, port: int) -> tuple[list[str], str]:
    """gunicorn's command line for the shape, and its description."""
    bind = f"127.0.0.1:{port}"
    if shape == "sqlite":  # run_platform's, word for word but the address
        workers = os.environ.get("WEB_WORKERS", "2")
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "annotation.wsgi:application",
            "--bind",
            bind,
            "--worker-class",
            "gthread",
            "--workers",
            workers,
            "--threads",
            "8",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        ], f"gunicorn gthread, {workers} workers x 8 threads"
    command = [sys.executable, "-m", "gunicorn", "annotation.wsgi:application", "--bind", bind]
    return [*command, "--workers", str(PROD_WORKERS), "--log-level", "warning"], f"gunicorn, {PROD_WORKERS} workers"


def start_server(
    root: Path, shape: str, env: dict[str, str], port: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    command, description = server_command(shape, port)
    with log.open("wb") as errors:  # the access log (make run's) goes nowhere; errors to the log file
        server = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                return server, description
        except requests.RequestException:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- one tree on one shape


def accounts(levels: list[int], loops: int) -> int:
    """Accounts the load uses: `loops` for each concurrent annotator of every level, and the warm-up's."""
    return sum(level * loops for level in levels) + max(levels) * 2


@dataclass
class Run:
    root: Path
    tree: str  # the root and its commit when it was measured
    shape: str
    title: str
    queries: dict[str, list[str]]
    levels: dict[int, Measured]
    keep_alive: tuple[list[float], list[float]] | None


def run_shape(root: Path, shape: str, args: argparse.Namespace, levels: list[int]) -> Run:
    tree = describe(root)
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-wl-{shape}-"))
    try:
        database_url = fresh_database(os.environ["DATABASE_URL"], root) if shape == "postgres" else None
        env = server_env(var_dir, database_url)
        (var_dir / "metrics").mkdir()  # prometheus-client's files, for the child's requests and the server's
        out = var_dir / "child.json"
        started = time.perf_counter()
        seeding = subprocess.run(
            [
                *(sys.executable, str(HERE), "--child", "--root", str(root), "--tasks", str(args.tasks)),
                *("--users", str(accounts(levels, args.loops)), "--out", str(out)),
            ],
            cwd=root,
            env=env,
            check=False,
        )
        if seeding.returncode:
            raise SystemExit(f"migrating, seeding or counting with the code of {root} failed (traceback above)")
        prepared = json.loads(out.read_text())
        print(
            f"  {shape}: {prepared['database']}: migrate+collectstatic {prepared['migrate_s']:.0f} s, "
            f"{args.tasks} tasks seeded in {prepared['seed_s']:.0f} s",
            flush=True,
        )
        port = free_port()
        server, description = start_server(root, shape, env, port, var_dir / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        try:
            keys = iter(prepared["sessions"])

            def groups(concurrent: int, loops: int) -> list[list[Annotator]]:
                """`concurrent` annotators (threads), each with `loops` accounts."""
                return [[Annotator(base, next(keys)) for _ in range(loops)] for _ in range(concurrent)]

            shown: set[str] = set()  # the tasks whose page some worker has rendered
            measure(groups(max(levels), 2), 2, shown)  # warm-up, not reported: each worker's first requests load code
            measured = {}
            for level in levels:
                drove = groups(level, args.loops)
                measured[level] = measure(drove, args.loops, shown)
                elapsed = time.perf_counter() - started
                load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
                print(f"  {shape}: {level} annotator(s) measured after {elapsed:.0f} s; load {load}", flush=True)
            kept = keep_alive(drove[0][0], max(50, args.loops * 5)) if shape == "sqlite" else None
        finally:
            stop_server(server)
        title = f"{SHAPE_NAMES[shape]}, {description}; {prepared['database']}"
        return Run(root, tree, shape, title, prepared["queries"], measured, kept)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


# --- the report


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(run: Run, show_sql: bool) -> None:
    for level, measured in run.levels.items():
        ping50 = statistics.median(measured.latencies[PING])
        plural = "annotator" if level == 1 else "annotators"
        print(f"\n### {run.title}: {level} {plural}; tree {run.tree}\n")
        print("| operation | p50 ms | p95 ms | req/s | queries | p50/ping |")
        print("|---|---:|---:|---:|---:|---:|")
        for op in (PING, *STEPS, CYCLE):
            values = measured.latencies[op]
            name = f"{op} (items/s)" if op == CYCLE else op
            queries = str(len(run.queries[op])) if op in run.queries else "-"
            p50 = statistics.median(values)
            print(
                f"| {name} | {p50 * 1000:.1f} | {p95(values) * 1000:.1f} | {measured.rates[op]:.1f} | {queries} "
                f"| {p50 / ping50:.1f} |"
            )
        parts = ", ".join(
            f"{name} {statistics.median(measured.latencies[f'{CYCLE}: {name}']) * 1000:.1f}"
            for name in ("page", "draft", "submit")
        )
        counts = ", ".join(f"{op} {len(measured.latencies[op])}" for op in (PING, *STEPS, CYCLE))
        print(f"\nThe cycle's requests, p50 ms: {parts}. Samples: {counts}")
        steps = sum(len(measured.latencies[op]) for op in STEPS) + 3 * len(measured.latencies[CYCLE])
        mix = steps / sum(measured.seconds[op] for op in (*STEPS, CYCLE))
        cycle_rps = measured.rates[CYCLE] * 3
        print(
            f"\nTotal throughput of the {level}-annotator mix: {mix:.1f} req/s over every timed request (the five "
            f"steps and the cycles' page, draft and submit), the browser cycle alone {cycle_rps:.1f} req/s "
            f"({measured.rates[CYCLE]:.1f} items/s x 3); /ping {measured.rates[PING]:.0f} req/s "
            f"(mix/ping {mix / measured.rates[PING]:.2f})"
        )
    if run.keep_alive:
        kept, fresh = (statistics.median(v) * 1000 for v in run.keep_alive)
        print(
            f"\nKeep-alive ({run.title}): page p50 {kept:.1f} ms with keep-alive (one requests.Session) vs "
            f"{fresh:.1f} ms with a new connection per request: {kept / fresh:.2f}x, "
            + ("at or under it (the target)" if kept <= fresh else f"{kept - fresh:.1f} ms over it (target: at most)")
        )
    if show_sql:
        for op, statements in run.queries.items():
            print(f"\nSQL of {op} ({len(statements)}):")
            for n, statement in enumerate(statements, 1):
                print(f"  {n}. {statement[:300]}")


def compare(runs: list[Run]) -> None:
    """With several trees: p50 and queries side by side, per shape and concurrency."""
    for shape in dict.fromkeys(r.shape for r in runs):
        same = [r for r in runs if r.shape == shape]
        for level in same[0].levels:
            print(f"\n### {SHAPE_NAMES[shape]}, {level} annotator(s): " + " → ".join(r.tree for r in same))
            print("\n| operation | p50 ms | p95 ms | req/s | queries |\n|---|---|---|---|---|")
            for op in (PING, *STEPS, CYCLE):
                cells = [
                    [
                        f"{statistics.median(r.levels[level].latencies[op]) * 1000:.1f}",
                        f"{p95(r.levels[level].latencies[op]) * 1000:.1f}",
                        f"{r.levels[level].rates[op]:.1f}",
                        str(len(r.queries[op])) if op in r.queries else "-",
                    ]
                    for r in same
                ]
                print(f"| {op} | " + " | ".join(" → ".join(column) for column in zip(*cells, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--loops", type=int, default=20, help="rounds of the steps and cycles per annotator")
    parser.add_argument("--annotators", default="1,10", help="concurrency levels, comma-separated")
    parser.add_argument("--shapes", default="sqlite,postgres")
    parser.add_argument("--root", action="append", help="code tree to serve (repeatable; default this checkout)")
    parser.add_argument("--sql", action="store_true", help="print the SQL of each operation")
    parser.add_argument("--keep", action="store_true", help="keep each run's VAR_DIR (database, logs)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    levels = [int(n) for n in args.annotators.split(",")]
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = set(shapes) - set(SHAPE_NAMES)
    if unknown:
        raise SystemExit(f"unknown shape(s) {', '.join(sorted(unknown))}: sqlite, postgres")
    if "postgres" in shapes and not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("shape postgres skipped: set DATABASE_URL=postgres://user:pw@host:5432/name to measure it")
        shapes.remove("postgres")
    roots = [Path(r).resolve() for r in args.root or [CHECKOUT]]
    print(f"{args.tasks} tasks x 3 responses, overlap 3; {args.loops} loops; annotators {levels}; shapes {shapes}")
    runs: list[Run] = []
    for root in roots:
        started = time.perf_counter()
        print(f"tree {describe(root)}", flush=True)
        for shape in shapes:
            runs.append(run_shape(root, shape, args, levels))
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    for run in runs:
        report(run, args.sql)
    if len(roots) > 1:
        compare(runs)


if __name__ == "__main__":
    main()
