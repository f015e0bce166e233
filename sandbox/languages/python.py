"""Python: tests are pytest files that `import solution`; pytest is imported before the payload arrives."""

from sandbox.languages.base import Language, harness_source

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
    solution_file="solution.py",
    test_file="test_solution.py",
    test_template=TEMPLATE,
    prepare=harness_source("pytest_prepare.py"),
)
