"""Python: tests are pytest files that `import solution`; pytest is imported before the payload arrives."""

from sandbox.languages.base import Language

TEMPLATE = """\
import pytest

from solution import *  # noqa: F403 - the response under test


def test_example():
    # Replace with calls to the function the prompt asks for, e.g.:
    # assert slugify("Hello, World!") == "hello-world"
    assert True
"""

LANGUAGE = Language(
    name="python",
    label="Python",
    editor_mode="python",
    framework="pytest",
    import_hint="from solution import …",
    solution_file="solution.py",
    test_file="test_solution.py",
    test_template=TEMPLATE,
    comment="#",
    harness_files=("pywire.py", "pyproxy.py", "pyserver.py", "pytest_prepare.py"),
    judge_source="pytest_prepare.py",
    server_source="pyserver.py",
)
