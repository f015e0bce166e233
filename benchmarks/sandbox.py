"""Sandbox speed against baselines measured in the same run on the same engine.

Latency: one run of a Python solution with 10 tests (end to end: payload in, verdict out), with the
warm pool and without it, against `docker run --rm --network none IMAGE python3 -c pass`. Target: the
warm pool's run at most 0.8x the bare container.
Proxy: a test that calls the solution 10,000 times, isolated (every call crosses the pipe to the
solution's process) against the same test in-process (`# sandbox: in-process`: the solution runs in the
judge). The test times its own loop and prints it; the run's latency is shown too.
Throughput: runs per second at concurrency 1, 2 and 4 (threads calling run_suite with a warm pool of
that size) against bare containers per second. Host-wide run slots (sandbox/slots.py) let at most
cores / SANDBOX_CPUS runs execute at once, whatever the number of threads.

    .venv/bin/python benchmarks/sandbox.py [--samples 20] [--runs 16] [--proxy-samples 5]
"""

import argparse
import os
import re
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
CALLS = 10_000
CALLS_TESTS = f"""\
import time

from solution import add


def test_calls():
    started = time.perf_counter()
    for i in range({CALLS}):
        assert add(i, 1) == i + 1
    print(f"\\nCALLS {{time.perf_counter() - started:.9f}}")
"""
IN_PROCESS_CALLS_TESTS = "# sandbox: in-process\n" + CALLS_TESTS
CALLS_LINE = re.compile(r"^CALLS (\d+\.\d+)$", re.MULTILINE)


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
    parser.add_argument("--proxy-samples", type=int, default=5)
    args = parser.parse_args()
    setup()

    from sandbox.pool import Pool
    from sandbox.results import RunResult, Status
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

    slots = backend.limits.host_slots()
    print(f"engine: {backend.client.version()['Version']}, image {image}, {args.samples} samples each")
    print(f"host: {os.cpu_count()} cores, {backend.limits.cpus:g} CPUs a run, {slots} run slots")
    print(f"\n{'latency':<34}{'median':>10}{'p95':>10}{'median ratio':>15}{'p95 ratio':>12}")
    for name, values in (
        ("bare docker run (baseline)", bare_lat),
        ("run, no pool", cold_lat),
        ("run, warm pool", pool_lat),
    ):
        ratio_med = statistics.median(values) / statistics.median(bare_lat)
        ratio_p95 = p95(values) / p95(bare_lat)
        median_ms, p95_ms = statistics.median(values) * 1000, p95(values) * 1000
        print(f"{name:<34}{median_ms:>8.0f}ms{p95_ms:>8.0f}ms{ratio_med:>15.2f}{ratio_p95:>12.2f}")
    verdict = "met" if statistics.median(pool_lat) <= 0.8 * statistics.median(bare_lat) else "NOT met"
    print(f"target: warm pool at most 0.80x bare (median): {verdict}")

    def calls_run(tests: str) -> tuple[float, float, RunResult]:
        """Seconds the test's loop took, the run's latency, and the result."""
        started = time.perf_counter()
        result = run_suite(language="python", solution=SOLUTION, tests=tests, backend=backend, pool=warm)
        latency = time.perf_counter() - started
        found = CALLS_LINE.search(result.stdout)
        assert result.status == Status.PASSED and found, (result.status, result.message, result.stdout[-500:])
        return float(found.group(1)), latency, result

    loops: dict[str, list[float]] = {"isolated": [], "in-process": []}
    latencies: dict[str, list[float]] = {"isolated": [], "in-process": []}
    for _ in range(args.proxy_samples):  # interleaved, as above
        for trust, tests in (("isolated", CALLS_TESTS), ("in-process", IN_PROCESS_CALLS_TESTS)):
            warm.wait_until_warm()
            loop, latency, result = calls_run(tests)
            assert result.trust == trust, result.trust
            loops[trust].append(loop)
            latencies[trust].append(latency)

    print(f"\n{f'proxy: {CALLS:,} calls in one test':<34}{'calls/s':>12}{'per call':>12}{'run':>10}{'ratio':>10}")
    base = CALLS / statistics.median(loops["in-process"])
    for name, trust in (("in-process (baseline)", "in-process"), ("isolated, across the proxy", "isolated")):
        rate = CALLS / statistics.median(loops[trust])
        run_ms = statistics.median(latencies[trust]) * 1000
        print(f"{name:<34}{rate:>12,.0f}{1e6 / rate:>10.2f}us{run_ms:>8.0f}ms{rate / base:>10.4f}")

    print(f"\n{'throughput (runs/s)':<34}{'bare':>10}{'ours':>10}{'ratio':>10}")
    for concurrency in (1, 2, 4):
        pool = Pool(backend, size=concurrency)
        pool.warm(["python"])
        pool.wait_until_warm()
        base = throughput(bare, concurrency=concurrency, runs=args.runs)
        mine = throughput(ours(pool), concurrency=concurrency, runs=args.runs)
        pool.close()
        capped = f" ({slots} slots)" if concurrency > slots else ""
        label = f"concurrency {concurrency}{capped}"
        print(f"{label:<34}{base:>10.2f}{mine:>10.2f}{mine / base:>10.2f}")
    warm.close()


if __name__ == "__main__":
    main()
