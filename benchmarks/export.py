"""Export speed and memory: 1,000,000 judgments built straight in the database, exported as DPO, to
JSONL and to Parquet.

Prints judgments and rows per second and the peak memory (peak RSS of the exporting process) at 100,000
and 1,000,000 judgments, per output; streaming means the 1M export should stay within 1.2x of the 100k
one. Each export runs in a fresh process, so one's memory cannot hide in the other's.

Two workloads. `merged`: five annotators judge each task, one in three the other way round: per task,
identical pairs merge into one row and the contradiction is settled by the majority, so there is about
one row per five judgments. `solo`: every judgment is on a task of its own (overlap 1), so nothing merges
and rows == judgments: the rows/s a format that writes one row per judgment would see.

    .venv/bin/python benchmarks/export.py [--small 100000] [--large 1000000] [--outputs jsonl,parquet]
        [--workloads merged,solo]    (DATABASE_URL for PostgreSQL)
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from _django import setup

ANNOTATORS = 5
WORKLOADS = {"merged": ANNOTATORS, "solo": 1}  # judgments per task


def build(slug: str, judgments: int, per_task: int = ANNOTATORS) -> None:
    """Tasks x `per_task` submitted judgments, with bulk inserts (no services: this is volume, not
    logic). With one judgment per task the ANNOTATORS annotators take the tasks in turn."""
    from django.db import transaction
    from django.utils import timezone

    from annotation.models import Assignment, Judgment
    from tasks import services
    from tasks.models import Project, RankingMode, Response, Task, User

    if Assignment.objects.filter(task__project__slug=slug).count() == judgments // per_task * per_task:
        return  # built by an earlier run on this database: measure again without building again
    Project.objects.filter(slug=slug).delete()
    project = services.create_project(slug=slug, name=slug, ranking_mode=RankingMode.RANKING, overlap=per_task)
    users = [User.objects.get_or_create(username=f"bench-{i}")[0] for i in range(ANNOTATORS)]
    now = timezone.now()
    tasks_needed = judgments // per_task
    batch = 5000
    for start in range(0, tasks_needed, batch):
        with transaction.atomic():
            tasks = Task.objects.bulk_create(
                Task(
                    project=project,
                    external_id=f"{slug}-{i}",
                    prompt=f"Task {i}: sort the list `xs`.",
                    language="python",
                    taken=per_task,
                )
                for i in range(start, min(start + batch, tasks_needed))
            )
            Response.objects.bulk_create(
                Response(
                    task=t,
                    label=label,
                    model_name=f"model-{label}",
                    code=f"def s(xs):\n    return sorted(xs)  # {label}\n",
                )
                for t in tasks
                for label in "AB"
            )
            assignments = Assignment.objects.bulk_create(
                Assignment(
                    task=t,
                    annotator=u,
                    status="submitted",
                    response_order=["A", "B"],
                    submitted_at=now,
                    active_seconds=60,
                )
                for n, t in enumerate(tasks, start)
                for u in (users if per_task == ANNOTATORS else [users[(n + k) % ANNOTATORS] for k in range(per_task)])
            )
            Judgment.objects.bulk_create(
                Judgment(
                    assignment=a,
                    ranking=[["A"], ["B"]] if a.pk % 3 else [["B"], ["A"]],
                    strength=2,
                    rationale="A sorts; B does too but slower.",
                    submitted_at=now,
                )
                for a in assignments
            )


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image; ru_maxrss would not
    do here, as Linux carries it over from the parent across fork and exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_in_child(slug: str, output: str) -> dict[str, float]:
    """Run the export in a new process (this script with --child); it reports rows, seconds, peak RSS."""
    out = os.path.join(tempfile.mkdtemp(prefix="export-bench-"), f"{slug}.{output}")
    done = subprocess.run(
        [sys.executable, __file__, "--child", slug, out, output],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(slug: str, out: str, output: str) -> None:
    from pathlib import Path

    from django.utils import timezone

    from exporters import services
    from exporters.options import ExportOptions
    from tasks.models import Project

    project = Project.objects.get(slug=slug)
    started = time.perf_counter()
    rows, _ = services.write_dataset(
        project=project,
        format="dpo",
        mode="judgment",
        filters={},
        cutoff=timezone.now(),
        after=None,
        out=Path(out),
        options=ExportOptions(format="dpo", output=output),
    )
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(json.dumps({"rows": rows, "seconds": seconds, "max_rss_mb": peak, "bytes": Path(out).stat().st_size}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--outputs", default="jsonl,parquet")
    parser.add_argument("--workloads", default="merged,solo", help="merged (5 judgments a task), solo (1)")
    parser.add_argument("--child", nargs=3, metavar=("SLUG", "OUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = setup()  # keeps the database in the environment for the child processes
    if args.child:
        child(*args.child)
        return
    print(f"database: {database}")
    outputs = args.outputs.split(",")
    sizes = (("small", args.small), ("large", args.large))
    for workload in args.workloads.split(","):
        per_task = WORKLOADS[workload]
        prefix = "export" if workload == "merged" else f"export-{workload}"
        results = {}
        for label, size in sizes:
            started = time.perf_counter()
            build(f"{prefix}-{label}", size, per_task)
            print(f"built {size:,} judgments ({workload}) in {time.perf_counter() - started:.0f} s")
            for output in outputs:
                results[label, output] = export_in_child(f"{prefix}-{label}", output)
        for output in outputs:
            for label, size in sizes:
                r = results[label, output]
                print(
                    f"{workload:>6} {output:>8} {size:>9,} judgments: {size / r['seconds']:,.0f} judgments/s,"
                    f" {r['rows']:,} DPO rows in {r['seconds']:.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s,"
                    f" peak RSS {r['max_rss_mb']:.0f} MB, file {r['bytes'] / 1e6:.1f} MB"
                )
            ratio = results["large", output]["max_rss_mb"] / results["small", output]["max_rss_mb"]
            print(f"{workload:>6} {output:>8} peak memory ratio large/small: {ratio:.2f} (must stay within 1.2)")
    print(
        f"this process's own peak RSS (the builder): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
