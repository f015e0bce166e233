"""JavaScript: tests are node:test files that `require('./solution')`, run by `node --test`."""

from sandbox.languages.base import Language, harness_source

TEMPLATE = """\
const test = require('node:test');
const assert = require('node:assert');
const solution = require('./solution');

test('example', () => {
  // Replace with calls to the function the prompt asks for, e.g.:
  // assert.strictEqual(solution.slugify('Hello, World!'), 'hello-world');
  assert.ok(solution);
});
"""

LANGUAGE = Language(
    name="javascript",
    solution_file="solution.js",
    test_file="test_solution.js",
    test_template=TEMPLATE,
    command=(
        "node",
        "--require=/tmp/harness/stdin.js",
        "--test",
        "--test-reporter=/tmp/harness/reporter.mjs",
        "--test-reporter-destination=/dev/fd/3",
        "test_solution.js",
    ),
    support_files={
        "/tmp/harness/reporter.mjs": harness_source("node_reporter.mjs"),
        "/tmp/harness/stdin.js": harness_source("node_stdin.js"),
    },
)
