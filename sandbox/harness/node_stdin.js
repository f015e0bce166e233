// Preloaded (--require) into every node process of a test run, the test files' children included:
// stdin becomes /dev/null, so a test that reads it sees end-of-file instead of waiting forever on the
// pipe node's test runner would otherwise leave open.
const fs = require("fs");
try {
  fs.closeSync(0);
} catch (error) {
  // already closed
}
fs.openSync("/dev/null", "r"); // takes the lowest free descriptor: 0
