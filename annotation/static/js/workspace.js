// The annotator's workspace: editor, autosave, heartbeats (time on platform), shortcuts.
(function () {
  "use strict";
  const root = document.getElementById("workspace");
  if (!root) return;
  const form = document.getElementById("judgment-form");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const assignment = root.dataset.assignment;
  const saveState = document.getElementById("save-state");
  const IDLE_MS = 60 * 1000;
  const BEAT_MS = (parseInt(root.dataset.heartbeatSeconds, 10) || 20) * 1000;
  let lastActivity = Date.now();
  let dirty = false;
  let saveTimer = null;

  // --- editors: CodeMirror over the textareas, which stay the source the forms send
  const editors = [];
  function editor(id, mode) {
    const area = document.getElementById(id);
    if (!area || !window.CodeMirror) return null;
    const cm = window.CodeMirror.fromTextArea(area, {
      mode: mode, lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false,
      matchBrackets: true, autoCloseBrackets: true, viewportMargin: Infinity,
      extraKeys: {
        Tab: (c) => c.somethingSelected() ? c.indentSelection("add") : c.replaceSelection("    "),
        "Ctrl-Enter": runTests, "Cmd-Enter": runTests,
      },
    });
    cm.on("change", () => { cm.save(); changed(); });
    // the editor types into a hidden textarea of its own: give it the visible field's label
    const label = document.querySelector('label[for="' + id + '"]');
    cm.getInputField().setAttribute("aria-label", area.getAttribute("aria-label") || (label ? label.textContent.trim() : id));
    editors.push(cm);
    return cm;
  }
  const mode = root.dataset.editorMode;  // from the language registry (sandbox/languages/)
  editor("tests-code", mode);
  editor("ideal-solution", mode);

  // --- autosave: the whole form, a moment after the last change, and when the page is left.
  // Every save says which server revision its text started from (base); the server refuses (409) a save
  // based on an older one, so a late save never overwrites newer text. Until the server confirms, the
  // text is also kept in this browser (localStorage), so a reload that outruns the last save loses nothing.
  let base = parseInt(root.dataset.revision, 10) || 0;
  const baseInput = document.getElementById("base-revision");  // what a submit says it started from
  function setBase(revision) { base = revision; if (baseInput) baseInput.value = String(revision); }
  let filling = false;  // putting a draft into the form is not an edit
  const LOCAL_KEY = "annotation-draft:" + root.dataset.user + ":" + assignment;
  const DRAFT_NAME = /^(tests_code|rationale|ideal_solution|all_unacceptable|strength|rank-|rating-|comment-|line_comments$)/;
  function formData() {
    editors.forEach((cm) => cm.save());
    return new FormData(form);
  }
  function fields() {  // the draft's fields as {name: value}, blanks left out (the server leaves them out too)
    const out = {};
    formData().forEach((value, name) => { if (DRAFT_NAME.test(name) && value !== "") out[name] = String(value); });
    return out;
  }
  function same(a, b) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => (a[key] || "") === (b[key] || ""));
  }
  function fill(values) {  // a draft into the form and its editors
    filling = true;
    Array.from(form.elements).forEach((el) => {
      if (!el.name || !DRAFT_NAME.test(el.name)) return;
      if (el.type === "checkbox") el.checked = el.name in values;
      else if (el.type === "radio") el.checked = values[el.name] === el.value;
      else el.value = values[el.name] || "";
    });
    editors.forEach((cm) => { if (cm.getValue() !== cm.getTextArea().value) cm.setValue(cm.getTextArea().value); });
    filling = false;
    count();
    form.dispatchEvent(new CustomEvent("draft-filled"));  // comments.js redraws the line comments
  }
  function readLocal() {
    try { return JSON.parse(localStorage.getItem(LOCAL_KEY) || "null"); } catch (error) { return null; }
  }
  function keepLocal() {
    try { localStorage.setItem(LOCAL_KEY, JSON.stringify({ base: base, fields: fields(), at: Date.now() })); }
    catch (error) { /* storage full or off: the server save still runs */ }
  }
  function dropLocal() { try { localStorage.removeItem(LOCAL_KEY); } catch (error) { /* nothing kept */ } }
  function draftBody() {
    const body = formData();
    body.set("base_revision", String(base));
    return body;
  }
  function changed() {
    if (filling) return;
    dirty = true;
    lastActivity = Date.now();
    keepLocal();
    saveState.textContent = "Unsaved changes…";
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, 1500);
  }
  async function saveDraft() {
    if (!dirty) return;
    dirty = false;
    const sent = fields();
    try {
      const response = await fetch(root.dataset.draftUrl, { method: "POST", body: draftBody(), headers: { "X-CSRFToken": csrf } });
      const body = await response.json();
      if (response.status === 409) { conflict(body); return; }
      if (body.saved) {
        setBase(body.revision);
        if (same(fields(), sent)) dropLocal(); else keepLocal();  // newer edits wait for the next save
        saveState.textContent = "Draft saved " + new Date().toLocaleTimeString();
      } else {
        saveState.textContent = "Not saved: " + Object.values(body.errors).join("; ");
      }
    } catch (error) {
      dirty = true;
      saveState.textContent = "Offline: will save when the connection is back";
      saveTimer = setTimeout(saveDraft, 5000);
    }
  }
  // The server holds a newer draft than this page's text started from (another tab, or a save sent on
  // leaving that landed after this page loaded). Take it; only if this page's text differs, ask first.
  function conflict(body) {
    setBase(body.revision);
    if (same(fields(), body.fields)) { dropLocal(); saveState.textContent = "Draft saved"; return; }
    const keepMine = window.confirm(
      "This task was saved more recently in another tab or window.\n\n" +
      "OK: keep the text on this page and save it over the newer draft.\n" +
      "Cancel: load the newer draft here (the edits on this page are dropped).");
    if (keepMine) { dirty = true; saveDraft(); return; }
    fill(body.fields);
    dropLocal();
    saveState.textContent = "Loaded the newer draft saved in another tab or window";
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", () => {
    clearTimeout(saveTimer);
    dirty = false;
    const button = document.getElementById("submit");
    setTimeout(() => { button.disabled = true; button.textContent = "Submitting…"; }, 0);
  });

  // --- time on platform: beats while the tab is visible and the annotator acted lately,
  // or a test run is in progress (waiting for results is work too)
  const tab = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let seq = 0;
  function runPending() { return !!document.querySelector("#results[data-pending]"); }
  function active() {
    return document.visibilityState === "visible" && (Date.now() - lastActivity < IDLE_MS || runPending());
  }
  // What the page saw since the last beat, by kind: the server pays only a beat that saw something (or
  // arrives while a run is pending), so each beat carries its counts and starts the next from zero.
  const EVENT_MAX = 100000;  // the API's ceiling per count (annotation/work/serializers.py MAX_EVENTS)
  function noEvents() { return { keys: 0, pointer: 0, scroll: 0, edits: 0 }; }
  let seen = noEvents();
  function saw(kind) { seen[kind] = Math.min(seen[kind] + 1, EVENT_MAX); lastActivity = Date.now(); }
  function takeSeen() { const counts = seen; seen = noEvents(); return counts; }
  function giveBack(counts) {  // a beat that did not arrive: its events belong to the next one
    Object.keys(counts).forEach((kind) => { seen[kind] = Math.min(seen[kind] + counts[kind], EVENT_MAX); });
  }
  function beatBody(counts) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("assignment", assignment);
    body.append("tab", tab);
    body.append("seq", String(++seq));
    body.append("keys", String(counts.keys));
    body.append("pointer", String(counts.pointer));
    body.append("scroll", String(counts.scroll));
    body.append("edits", String(counts.edits));
    body.append("running", runPending() ? "true" : "false");
    return body;
  }
  async function beat() {
    if (!active()) return;
    const counts = takeSeen();
    try {
      const response = await fetch(root.dataset.heartbeatUrl, { method: "POST", body: beatBody(counts) });
      if (!response.ok) { giveBack(counts); return; }
      const body = await response.json();
      // The server formats the durations (tasks/templatetags/lookup.duration), as on every page.
      document.getElementById("time-today").textContent = body.today;
      document.getElementById("time-week").textContent = body.week;
    } catch (error) { giveBack(counts); /* the next beat tries again */ }
  }
  const kinds = { keydown: "keys", pointerdown: "pointer", pointermove: "pointer", touchstart: "pointer", scroll: "scroll", wheel: "scroll" };
  Object.keys(kinds).forEach((name) =>
    window.addEventListener(name, () => saw(kinds[name]), { passive: true, capture: true }));
  ["input", "change"].forEach((name) => form.addEventListener(name, () => saw("edits")));
  editors.forEach((cm) => cm.on("change", () => saw("edits")));
  beat();
  setInterval(beat, BEAT_MS);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") { lastActivity = Date.now(); beat(); } });
  window.addEventListener("pagehide", () => {
    if (active()) navigator.sendBeacon(root.dataset.heartbeatUrl, beatBody(takeSeen()));
    if (dirty) { keepLocal(); navigator.sendBeacon(root.dataset.draftUrl, draftBody()); }
  });

  // --- tests
  function runTests() {
    editors.forEach((cm) => cm.save());
    document.getElementById("run-tests").click();
  }

  // --- rationale counter
  const rationale = document.getElementById("rationale");
  const counter = document.getElementById("rationale-count");
  // The server refuses (never cuts) a rationale over the limit; say so before the autosave does.
  function count() {
    const n = rationale.value.trim().length, min = parseInt(rationale.dataset.min, 10) || 0;
    const length = Array.from(rationale.value).length, max = parseInt(rationale.dataset.max, 10) || Infinity;
    counter.textContent = n + " characters" + (n < min ? " (" + (min - n) + " more needed)" : "") +
      (length > max ? " (over the limit of " + max.toLocaleString("en") + ": shorten it to save)" : "");
  }
  rationale.addEventListener("input", count);
  count();

  // --- after a reload: text kept in this browser, based on the server's latest revision (or newer),
  // is newer than the server's draft (its save had not landed): put it back and save it.
  (function restoreLocal() {
    const local = readLocal();
    if (!local || !local.fields) return;
    if (local.base < base || same(local.fields, fields())) { dropLocal(); return; }
    fill(local.fields);
    saveState.textContent = "Restored your latest text from this browser; saving…";
    dirty = true;
    saveDraft();
  })();

  // --- keyboard
  const help = document.getElementById("help");
  function toggleHelp() { help.hidden = !help.hidden; }
  document.getElementById("help-button").addEventListener("click", toggleHelp);
  document.getElementById("help-close").addEventListener("click", toggleHelp);
  const panels = Array.from(document.querySelectorAll(".response"));
  let current = -1;
  function typing(target) {
    return target.closest("input, textarea, select, .CodeMirror, [contenteditable]");
  }
  // n-way ranking: a response's letter picks its rank select, then a digit 1-9 sets its rank. Keys on a
  // focused rank select are ours (not the select's type-ahead), so "b 1 a 2" works without a pause.
  const rankSelects = {};
  form.querySelectorAll("select[name^='rank-']").forEach((select) => {
    rankSelects[select.name.slice("rank-".length).toLowerCase()] = select;
  });
  function rankKey(event) {
    const target = event.target;
    const onRank = target instanceof HTMLSelectElement && target.name.startsWith("rank-");
    if (!onRank && typing(target)) return false;
    const key = event.key.toLowerCase();
    if (key.length === 1 && key !== "n" && key !== "p" && rankSelects[key]) {  // n/p stay next/previous
      event.preventDefault();
      rankSelects[key].focus();
      return true;
    }
    if (onRank && /^[1-9]$/.test(event.key)) {
      event.preventDefault();
      if (target.querySelector("option[value='" + event.key + "']")) {
        target.value = event.key;
        target.dispatchEvent(new Event("change", { bubbles: true }));  // autosaves like a change by hand
      }
      return true;
    }
    return false;
  }
  document.addEventListener("keydown", (event) => {
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && event.shiftKey && event.key === "Enter") { event.preventDefault(); form.requestSubmit(); return; }
    if (ctrl && event.key === "Enter") { event.preventDefault(); runTests(); return; }
    if (ctrl && event.key.toLowerCase() === "s") { event.preventDefault(); dirty = true; saveDraft(); return; }
    if (!ctrl && !event.altKey && rankKey(event)) return;
    if (ctrl || event.altKey || typing(event.target)) return;
    if (event.key === "?") { toggleHelp(); return; }
    if (event.key === "Escape" && !help.hidden) { toggleHelp(); return; }
    if (event.key === "n" || event.key === "p") {
      if (window.shownResponse) current = window.shownResponse(current);  // layout.js: in tabs, the one shown
      current = (current + (event.key === "n" ? 1 : panels.length - 1)) % panels.length;
      if (window.showResponse) window.showResponse(panels[current]);  // layout.js: in tabs, show it
      panels[current].scrollIntoView({ behavior: "smooth", block: "start" });
      panels[current].focus({ preventScroll: true });
      return;
    }
    const scale = form.querySelectorAll("input[name=strength]");
    if (scale.length && event.key >= "1" && event.key <= "7") {
      scale[parseInt(event.key, 10) - 1].checked = true;
      changed();
    }
  });

  // --- after a refused submit (the page comes back with errors): the first error takes the focus, so a
  // keyboard or screen-reader user starts at what to fix
  const firstError = document.querySelector("#submit-errors li, #evidence-conflict");
  if (firstError) firstError.focus();
})();
