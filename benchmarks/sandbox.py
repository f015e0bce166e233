"""Sandbox speed against bare containers, measured in one run on the same engine.

Latency: one run of a Python solution with 10 tests (end to end: payload in, verdict out), with the
warm pool and without it, against `docker run --rm --network none IMAGE python3 -c pass`.
Throughput: runs per second at concurrency 1, 2 and 4 against bare containers per second.

    .venv/bin/python benchmarks/sandbox.py [--samples 20] [--runs 16]
"""

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from _django import setup

SOLUTION = "def add(a, b):\n    return a + b\n"
TESTS = "from solution import add\n\n" + "".join(
    f"def test_{i}():\n    assert add({i}, {i}) == {2 * i}\n\n" for i in range(10)
)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def throughput(fn: Callable[[], object], *, concurrency: int, runs: int) -> float:
    with ThreadPoolExecutor(concurrency) as executor:
        started = time.perf_counter()
        list(executor.map(lambda _: fn(), range(runs)))
        return runs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--runs", type=int, default=16)
    args = parser.parse_args()
    setup()

    from sandbox.pool import Pool
    from sandbox.results import Status
    from sandbox.runner import default_backend, run_suite

    backend = default_backend()
    image = backend.limits.image
    backend.image_id()

    def bare() -> None:
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "python3", "-c", "pass"], check=True)

    def ours(pool: Pool | None) -> Callable[[], None]:
        def run() -> None:
            result = run_suite(language="python", solution=SOLUTION, tests=TESTS, backend=backend, pool=pool)
            assert result.status == Status.PASSED and result.passed == 10, result.message

        return run

    bare()  # warm the engine's caches once
    warm = Pool(backend, size=2)
    warm.warm(["python"])
    cold = ours(None)
    pooled = ours(warm)
    bare_lat, cold_lat, pool_lat = [], [], []
    for _ in range(args.samples):  # interleaved, so drift in the machine hits all three alike
        bare_lat.append(timed(bare))
        cold_lat.append(timed(cold))
        warm.wait_until_warm()
        pool_lat.append(timed(pooled))

    print(f"engine: {backend.client.version()['Version']}, image {image}, {args.samples} samples each")
    print(f"{'latency':<34}{'median':>10}{'p95':>10}{'median ratio':>15}{'p95 ratio':>12}")
    for name, values in (
        ("bare docker run (baseline)", bare_lat),
        ("run, no pool", cold_lat),
        ("run, warm pool", pool_lat),
    ):
        ratio_med = statistics.median(values) / statistics.median(bare_lat)
        ratio_p95 = p95(values) / p95(bare_lat)
        median_ms, p95_ms = statistics.median(values) * 1000, p95(values) * 1000
        print(f"{name:<34}{median_ms:>8.0f}ms{p95_ms:>8.0f}ms{ratio_med:>15.2f}{ratio_p95:>12.2f}")

    print(f"\n{'throughput (runs/s)':<34}{'bare':>10}{'ours':>10}{'ratio':>10}")
    for concurrency in (1, 2, 4):
        pool = Pool(backend, size=concurrency)
        pool.warm(["python"])
        pool.wait_until_warm()
        base = throughput(bare, concurrency=concurrency, runs=args.runs)
        mine = throughput(ours(pool), concurrency=concurrency, runs=args.runs)
        pool.close()
        print(f"{'concurrency ' + str(concurrency):<34}{base:>10.2f}{mine:>10.2f}{mine / base:>10.2f}")
    warm.close()


if __name__ == "__main__":
    main()
