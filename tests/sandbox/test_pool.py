"""The warm pool hands out started containers, each used once, and leaves nothing behind."""

from sandbox import languages
from sandbox.docker_backend import DockerBackend
from sandbox.pool import Pool
from sandbox.results import Status
from sandbox.runner import run_suite
from tests.sandbox.test_verdicts import JS_CORRECT, JS_TESTS, PY_BUGGY, PY_CORRECT, PY_TESTS


def test_runs_through_the_pool_give_the_same_verdicts_and_never_reuse_a_container(backend: DockerBackend) -> None:
    pool = Pool(backend, size=2)
    pool.warm()
    pool.wait_until_warm()
    try:
        seen = set()
        for solution, expected in ((PY_CORRECT, Status.PASSED), (PY_BUGGY, Status.FAILED), (PY_CORRECT, Status.PASSED)):
            sandbox = pool.take(languages.get("python"))
            assert sandbox.id not in seen
            seen.add(sandbox.id)
            backend.discard(sandbox)
            assert run_suite(language="python", solution=solution, tests=PY_TESTS, pool=pool).status == expected
        assert run_suite(language="javascript", solution=JS_CORRECT, tests=JS_TESTS, pool=pool).status == Status.PASSED
    finally:
        pool.close()


def test_an_empty_pool_starts_a_container_on_demand(backend: DockerBackend) -> None:
    pool = Pool(backend, size=0)
    try:
        assert run_suite(language="python", solution=PY_CORRECT, tests=PY_TESTS, pool=pool).status == Status.PASSED
    finally:
        pool.close()
