"""Import 10,000 generated tasks through the real import service and print tasks per second.

Baseline, measured in the same run on the same database: the least any importer must do, json.loads of
every line and a bulk insert of the same rows, with no checks. The ratio is the cost of validation
and error reporting.

    .venv/bin/python benchmarks/import_tasks.py [--tasks 10000]    (DATABASE_URL=postgres://... for PostgreSQL)
"""

import argparse
import json
import time
import uuid

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
