"""JavaScript: tests are node:test files that `require('./solution')`, run by `node --test`."""

from sandbox.languages.base import Language

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
    label="JavaScript",
    editor_mode="javascript",
    framework="node:test",
    import_hint="require('./solution')",
    solution_file="solution.js",
    test_file="test_solution.js",
    test_template=TEMPLATE,
    comment="//",
    harness_files=("js_proxy.js", "js_server.js", "node_collect.js", "node_reporter.mjs", "node_stdin.js"),
    judge_command=(
        "node",
        "--require=/tmp/harness/node_stdin.js",
        "--test",
        "--test-reporter=/tmp/harness/node_reporter.mjs",
        "--test-reporter-destination=stdout",  # the reporter writes its lines to fd 3 itself
        "test_solution.js",
    ),
    server_command=("node", "/tmp/harness/js_server.js", "/work/solution/solution.js"),
    collect_command=("node", "--require=/tmp/harness/node_collect.js", "/work/judge/test_solution.js"),
    proxy_module="module.exports = require('/tmp/harness/js_proxy.js');\n",
)
