// A minimal page for annotation/static/js/workspace.js under node: it records the heartbeats the script
// sends after scripted events and prints their bodies as JSON (tests/annotation/work/test_pay_rules.py).
// Usage: node workspace_page.js path/to/workspace.js
const fs = require("fs");
const vm = require("vm");
const windowListeners = {};
class El {
  constructor() { this.dataset = {}; this.value = ""; this.textContent = ""; this.hidden = true; this.listeners = {}; }
  addEventListener(name, fn) { (this.listeners[name] = this.listeners[name] || []).push(fn); }
  fire(name) { (this.listeners[name] || []).forEach((fn) => fn({ target: this })); }
  querySelector(selector) { return selector.includes("csrfmiddlewaretoken") ? { value: "token" } : null; }
  querySelectorAll() { return []; }
  closest() { return null; }
  click() {}
}
const elements = {};
const byId = (id) => (elements[id] = elements[id] || new El());
Object.assign(byId("workspace").dataset, { assignment: "7", heartbeatUrl: "/work/heartbeat", heartbeatSeconds: "20", draftUrl: "/draft", editorMode: "python" });
let pending = false, failNext = false, every = null;
const sent = [];
const document = {
  visibilityState: "visible",
  getElementById: byId,
  querySelector: (selector) => (selector.includes("data-pending") && pending ? new El() : null),
  querySelectorAll: () => [],
  addEventListener() {},
};
const context = {
  window: { addEventListener: (name, fn) => { (windowListeners[name] = windowListeners[name] || []).push(fn); } },
  document, FormData: class extends FormData { constructor() { super(); } }, Date, Math, Object, Array, String, Infinity, parseInt, console,
  navigator: { sendBeacon: (url, body) => { sent.push(body); return true; } },
  fetch: async (url, options) => {
    sent.push(options.body);
    if (failNext) { failNext = false; throw new Error("offline"); }
    return { ok: true, json: async () => ({ today: "1 min", week: "2 min" }) };
  },
  setInterval: (fn) => { every = fn; }, setTimeout: () => 0, clearTimeout() {},
};
const fire = (name, times = 1) => { for (let i = 0; i < times; i++) (windowListeners[name] || []).forEach((fn) => fn({})); };
(async () => {
  vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), context);
  await new Promise((resolve) => setImmediate(resolve));
  fire("keydown", 3); fire("pointermove", 2); fire("pointerdown"); fire("wheel"); fire("scroll"); byId("judgment-form").fire("input");
  await every();
  await every();  // nothing happened since the last beat (still within the minute of activity)
  fire("keydown"); failNext = true;
  await every();  // did not arrive
  await every();  // carries the lost beat's key press
  pending = true;
  await every();
  fire("scroll");
  (windowListeners.pagehide || []).forEach((fn) => fn({}));
  console.log(JSON.stringify(sent.map((body) => Object.fromEntries(body.entries()))));
})();
