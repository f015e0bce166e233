"""Load on the annotator's pages: gunicorn on PostgreSQL, 10,000 tasks, 10 concurrent annotators.

Each annotator logs in with a session of their own and loops: claim (start working), the workspace
page, a heartbeat, a draft save, and a skip (so the next claim takes a new task). Printed: requests
per second and p50/p95 per operation, and the same for a trivial view (/ping: same middleware, same
server) measured in the same run, as ratios; and the SQL queries of one workspace page.

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/db .venv/bin/python benchmarks/workspace_load.py
"""

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests
from _django import setup

PASSWORD = "load-test-password-1"


def seed(tasks: int, annotators: int) -> str:
    import json
    import uuid

    from tasks import services
    from tasks.importing import import_tasks
    from tasks.models import RankingMode, Role, User

    slug = f"load-{uuid.uuid4().hex[:6]}"
    project = services.create_project(slug=slug, name="Load", ranking_mode=RankingMode.RANKING, overlap=3)
    lines = (
        json.dumps(
            {
                "id": f"l{i}",
                "prompt": f"Task {i}: add numbers.",
                "language": "python",
                "responses": [
                    {"model": f"m{k}", "code": f"def add(a, b):\n    return a + b  # {k}\n"} for k in range(3)
                ],
            }
        )
        for i in range(tasks)
    )
    import_tasks(project=project, lines=lines)
    for n in range(annotators):
        user, _ = User.objects.get_or_create(username=f"load-annotator-{n}")
        user.set_password(PASSWORD)
        user.save()
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    return slug


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "PSEUDONYM_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback
        "RATE_LIMIT_HEARTBEAT": "100000/min",  # the load beats far faster than a person's tab
        "LOG_LEVEL": "WARNING",
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=root, env=env, check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "annotation.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    done = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
    )
    assert done.status_code == 302, done.status_code
    return session


def annotate(
    base: str, slug: str, username: str, loops: int, timings: dict[str, list[float]], lock: threading.Lock
) -> None:
    session = login(base, username)
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": base + "/"}

    def call(op: str, method: str, path: str, **kwargs: object) -> requests.Response:
        started = time.perf_counter()
        answer = session.request(method, base + path, headers=headers, allow_redirects=False, **kwargs)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        assert answer.status_code < 400, (op, answer.status_code, answer.text[:300])
        with lock:
            timings[op].append(elapsed)
        return answer

    for seq in range(1, loops + 1):
        work = call("claim", "POST", f"/projects/{slug}/start").headers["Location"]
        aid = work.rstrip("/").split("/")[-1]
        call("workspace page", "GET", work)
        call("heartbeat", "POST", "/work/heartbeat", data={"assignment": aid, "tab": "load", "seq": seq})
        call("draft save", "POST", f"/work/{aid}/draft", data={"rationale": "looks right so far", "rank-A": "1"})
        call("skip", "POST", f"/work/{aid}/skip", data={"reason": "load test"})


def trivial(base: str, requests_total: int, concurrency: int) -> list[float]:
    sessions = [requests.Session() for _ in range(concurrency)]
    latencies: list[float] = []
    lock = threading.Lock()

    def hit(i: int) -> None:
        started = time.perf_counter()
        assert sessions[i % concurrency].get(f"{base}/ping").status_code == 200
        with lock:
            latencies.append(time.perf_counter() - started)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(hit, range(requests_total)))
    return latencies


def page_queries(slug: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tasks.models import User

    client = Client()
    client.force_login(User.objects.get(username="load-annotator-0"))
    location = client.post(f"/projects/{slug}/start")["Location"]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(location).status_code == 200
    return len(captured)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--loops", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://... : this benchmark measures the production shape")
    database = setup()
    slug = seed(args.tasks, args.annotators)
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        timings: dict[str, list[float]] = defaultdict(list)
        lock = threading.Lock()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.annotators) as pool:
            futures = [
                pool.submit(annotate, base, slug, f"load-annotator-{n}", args.loops, timings, lock)
                for n in range(args.annotators)
            ]
            for future in futures:
                future.result()
        elapsed = time.perf_counter() - started
        total = sum(len(v) for v in timings.values())
        started = time.perf_counter()
        base_lat = trivial(base, total, args.annotators)
        base_elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    base_rps = len(base_lat) / base_elapsed
    print(f"database: {database}; gunicorn -w {args.workers}; {args.tasks} tasks; ", end="")
    print(f"{args.annotators} annotators x {args.loops} loops")
    print(f"{'operation':<18}{'p50':>9}{'p95':>9}{'p50 ratio':>11}{'p95 ratio':>11}")
    rows = [("trivial /ping", base_lat), *timings.items()]
    for op, values in rows:
        p50_ms, p95_ms = statistics.median(values) * 1000, p95(values) * 1000
        ratio50 = statistics.median(values) / statistics.median(base_lat)
        ratio95 = p95(values) / p95(base_lat)
        print(f"{op:<18}{p50_ms:>7.1f}ms{p95_ms:>7.1f}ms{ratio50:>11.2f}{ratio95:>11.2f}")
    rps = total / elapsed
    print(f"throughput: annotator mix {rps:.0f} req/s, trivial view {base_rps:.0f} req/s, ratio {rps / base_rps:.2f}")
    print(f"SQL queries of one workspace page: {page_queries(slug)}")


if __name__ == "__main__":
    main()
