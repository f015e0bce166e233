"""Import 10,000 generated tasks through the real import service and print tasks per second; then
the memory a dry run of a 50 MB file takes, through the service on a file (the page and the command)
and through the API.

Baseline, measured in the same run on the same database: the least any importer must do, json.loads of
every line and a bulk insert of the same rows, with no checks. The ratio is the cost of validation
and error reporting. Memory: each dry run in a fresh process, as its peak resident size (VmHWM, reset
just before) above its size then, against the file's size; for the API, less what the test client's
own copies of the body take (the same body posted by a non-member, refused unread).

    .venv/bin/python benchmarks/import_tasks.py [--tasks 10000] [--memory-mb 50]    (DATABASE_URL=... for PostgreSQL)
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _django import setup


def generate(n: int) -> list[bytes]:
    lines = []
    for i in range(n):
        responses = [
            {
                "model": f"model-{k}",
                "code": f"def solve(xs):\n    # variant {k} of {i}\n    return sorted(xs)[:{k + 1}]\n" * 4,
            }
            for k in range(2 + i % 3)
        ]
        task = {
            "id": f"bench-{i:06d}",
            "prompt": f"Task {i}: return the smallest items of `xs`. " * 5,
            "language": "python" if i % 2 else "javascript",
            "responses": responses,
            "metadata": {"source": "benchmark", "n": i},
        }
        lines.append(json.dumps(task).encode())
    return lines


def write_file(path: Path, megabytes: int) -> int:
    """Generated tasks until the file holds `megabytes` MB; returns the task count."""
    target, count = megabytes * 1024 * 1024, 0
    with path.open("wb") as out:
        while out.tell() < target:
            for line in generate(1000):
                out.write(line.replace(b'"bench-', f'"mem{count // 1000}-'.encode(), 1) + b"\n")
            count += 1000
    return count


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak since the last reset) of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Start the peak over from the current size (Linux 4.0+), so setup's own peak (migrate) is left out."""
    Path("/proc/self/clear_refs").write_text("5")


def measure_dry_run(path: Path, caller: str) -> None:
    """In this fresh process: a dry run of `path` through `caller`; prints the peak growth in MB."""
    setup()
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from tasks import services
    from tasks.importing import import_tasks
    from tasks.models import RankingMode, User

    lead = User.objects.create_user(username=f"lead-{uuid.uuid4().hex[:6]}")
    project = services.create_project(
        slug=f"mem-{uuid.uuid4().hex[:8]}", name="mem", lead=lead, ranking_mode=RankingMode.RANKING
    )
    body = path.read_bytes() if caller == "api" else b""
    client, url = Client(), f"/api/v1/projects/{project.slug}/tasks/import?dry_run=1"
    bystander = User.objects.create_user(username=f"bystander-{uuid.uuid4().hex[:6]}")

    def post(user: User, status: int) -> None:
        headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        answer = client.post(url, body, content_type="application/x-ndjson", headers=headers)
        assert answer.status_code == status, answer.content[:500]

    if caller == "api":
        # What the test client's own copies of the body take: a non-member's post, refused unread (404).
        post(bystander, 404)
    before = _status_mb("VmRSS")
    _reset_peak()
    if caller == "api":
        post(bystander, 404)
        client_only = _status_mb("VmHWM") - before
        before = _status_mb("VmRSS")
        _reset_peak()
        post(lead, 200)
        print(f"{max(0.0, _status_mb('VmHWM') - before - client_only):.0f}")
        return
    with path.open("rb") as handle:
        import_tasks(project=project, lines=handle, dry_run=True)
    print(f"{max(0.0, _status_mb('VmHWM') - before):.0f}")


def memory(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tasks.jsonl"
        count = write_file(path, megabytes)
        size = path.stat().st_size / 1024 / 1024
        print(f"dry run of a {size:.0f} MB file ({count:,} tasks), peak memory above the process before it:")
        names = {"file": "service on a file (page, command)", "api": "API, less the test client"}
        for caller, name in names.items():
            command = [sys.executable, __file__, "--measure", str(path), "--caller", caller]
            grown = float(subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()[-1])
            print(f"  {name:34} {grown:6.0f} MB = {grown / size:.1f}x the file")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--memory-mb", type=int, default=50, help="size of the dry-run file; 0: skip")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process of the memory figure
    parser.add_argument("--caller", default="file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_dry_run(args.measure, args.caller)
        return
    database = setup()

    from tasks import services
    from tasks.importing import import_tasks
    from tasks.models import RESPONSE_LABELS, Project, RankingMode, Response, Task

    lines = generate(args.tasks)

    def fresh_project() -> Project:
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        return services.create_project(slug=slug, name="bench", ranking_mode=RankingMode.RANKING)

    def baseline(project: Project) -> None:
        rows = [json.loads(line) for line in lines]
        tasks = Task.objects.bulk_create(
            [Task(project=project, external_id=r["id"], prompt=r["prompt"], language=r["language"]) for r in rows],
            batch_size=1000,
        )
        Response.objects.bulk_create(
            [
                Response(task=t, label=RESPONSE_LABELS[k], model_name=x["model"], code=x["code"])
                for t, r in zip(tasks, rows, strict=True)
                for k, x in enumerate(r["responses"])
            ],
            batch_size=1000,
        )

    def service(project: Project) -> None:
        assert import_tasks(project=project, lines=lines).created == len(lines)

    timings: dict[str, float] = {}
    for name, run in (("baseline", baseline), ("import", service), ("baseline", baseline), ("import", service)):
        project = fresh_project()
        started = time.perf_counter()
        run(project)
        elapsed = time.perf_counter() - started
        timings[name] = min(timings.get(name, float("inf")), elapsed)  # best of two, against warm-up noise
        project.delete()

    rate = args.tasks / timings["import"]
    base_rate = args.tasks / timings["baseline"]
    print(f"database: {database}")
    print(f"import_tasks: {args.tasks} tasks in {timings['import']:.2f} s = {rate:,.0f} tasks/s")
    print(f"baseline (json.loads + bulk insert, no checks): {timings['baseline']:.2f} s = {base_rate:,.0f} tasks/s")
    print(f"ratio import/baseline time: {timings['import'] / timings['baseline']:.2f}")
    if args.memory_mb:
        memory(args.memory_mb)


if __name__ == "__main__":
    main()
