// Line-level comments on responses: see templates/annotation/_line_comments.html.
//
// Workspace: the comments live in the judgment form's hidden input `line_comments` (JSON in the
// annotator's letters), so workspace.js's autosave, its browser copy and its conflict handling carry
// them like any other field: every change rewrites the input and fires `input` on the form; when
// workspace.js puts a draft back into the form it fires `draft-filled` and the comments are redrawn.
// Click a line number to comment on that line, shift-click another to extend the range; "Add comment"
// does the same from the keyboard. Review page: the comments are the server's list; here only the
// gutter is marked. Every text goes in through textContent, never as markup.
(function () {
  "use strict";
  const SEVERITY = { minor: "Minor", major: "Major", critical: "Critical" };
  const KEYS = ["id", "label", "start", "end", "category", "severity", "text"];  // judgment_input's order

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function linesText(c) { return c.start === c.end ? "Line " + c.start : "Lines " + c.start + "–" + c.end; }
  function rows(card) { return Array.from(card.querySelectorAll(".code tr[data-line]")); }
  function lineCount(card) { return rows(card).length; }

  // Rows start..end of a card get `has-comment`; the first row of each comment gets a marker in its
  // gutter that shows the comments starting there on hover or focus, and takes you to them on click.
  function markGutter(card, comments, onMarker) {
    card.querySelectorAll(".lc-marker").forEach((m) => m.remove());
    const byLine = rows(card);
    byLine.forEach((tr) => tr.classList.remove("has-comment"));
    const starting = {};
    comments.forEach((c) => {
      for (let n = c.start; n <= c.end && n <= byLine.length; n++) byLine[n - 1].classList.add("has-comment");
      (starting[c.start] = starting[c.start] || []).push(c);
    });
    Object.keys(starting).forEach((line) => {
      const row = byLine[line - 1];
      if (!row) return;
      const list = starting[line];
      const marker = el("button", "lc-marker");
      marker.type = "button";
      marker.setAttribute("aria-label", list.length + " comment" + (list.length > 1 ? "s" : "") + " from line " + line);
      const tip = el("span", "lc-tip");
      tip.setAttribute("role", "tooltip");
      list.forEach((c) => {
        const item = el("span", "lc-tip-item");
        item.append(el("strong", "", linesText(c) + " · " + (SEVERITY[c.severity] || c.severity) + ": "), document.createTextNode(c.text));
        tip.append(item);
      });
      marker.append(tip);
      marker.setAttribute("aria-describedby", "lc-float");
      marker.addEventListener("click", (event) => { event.stopPropagation(); onMarker(list[0]); });
      marker.addEventListener("mouseenter", () => float(marker));
      marker.addEventListener("focus", () => float(marker));
      marker.addEventListener("mouseleave", unfloat);
      marker.addEventListener("blur", unfloat);
      row.querySelector("td.ln").prepend(marker);
    });
  }

  // The marker's comments in one tooltip on the page itself (a tooltip inside the code panel would be
  // cut off by its scrolling box), placed beside the marker and kept inside the window.
  const floating = el("div", "lc-float");
  floating.id = "lc-float";
  floating.setAttribute("role", "tooltip");
  floating.hidden = true;
  document.body.append(floating);
  function float(marker) {
    floating.replaceChildren(...Array.from(marker.querySelector(".lc-tip").childNodes, (n) => n.cloneNode(true)));
    floating.hidden = false;
    const at = marker.getBoundingClientRect();
    const width = floating.offsetWidth, height = floating.offsetHeight;
    floating.style.left = Math.max(4, Math.min(at.right + 6, window.innerWidth - width - 4)) + "px";
    floating.style.top = Math.max(4, Math.min(at.top - 4, window.innerHeight - height - 4)) + "px";
  }
  function unfloat() { floating.hidden = true; }

  function showComment(id) {
    const item = document.getElementById("lc-" + id);
    if (!item) return;
    item.scrollIntoView({ behavior: "smooth", block: "nearest" });
    item.focus({ preventScroll: true });
  }

  // --- the review page: the list is the server's; mark the gutter from it
  if (!document.getElementById("line-comments")) {
    document.querySelectorAll(".lc-review").forEach((box) => {
      const card = box.closest(".response");
      const comments = Array.from(box.querySelectorAll(".lc-item")).map((li) => ({
        id: li.id.slice(3), start: parseInt(li.dataset.start, 10), end: parseInt(li.dataset.end, 10),
        severity: (li.querySelector(".lc-sev") || {}).textContent || "", text: li.querySelector(".lc-text").textContent,
      }));
      if (card) markGutter(card, comments, (c) => showComment(c.id));
    });
    return;
  }

  // --- the workspace
  const input = document.getElementById("line-comments");
  const form = document.getElementById("judgment-form");
  const setup = JSON.parse(document.getElementById("line-comment-setup").textContent);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const categories = {};
  setup.categories.forEach((c) => { categories[c.key] = c.label; });
  let comments = [];

  function read() {
    try {
      const value = JSON.parse(input.value || "[]");
      comments = Array.isArray(value) ? value : [];
    } catch (error) { comments = []; }
  }
  function canonical(c) { const out = {}; KEYS.forEach((k) => { out[k] = c[k]; }); return out; }
  function order(a, b) {
    return a.label < b.label ? -1 : a.label > b.label ? 1 : a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }
  function write() {  // the same text the server writes (judgment_input.line_comments_json), then autosave
    comments = comments.map(canonical).sort(order);
    input.value = JSON.stringify(comments);
    form.dispatchEvent(new Event("input", { bubbles: true }));
    renderAll();
  }
  function newId() { return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

  const boxes = Array.from(document.querySelectorAll(".line-comments[data-response]"));
  const state = new Map();  // box -> {editing: id or null, anchor: line of the last plain click}

  function cardOf(box) { return box.closest(".response"); }

  function openForm(box, values) {
    const editor = box.querySelector(".lc-form");
    const s = state.get(box);
    s.editing = values.id || null;
    s.anchor = values.start;
    editor.elements.start.value = values.start;
    editor.elements.end.value = values.end;
    editor.elements.start.max = editor.elements.end.max = String(lineCount(cardOf(box)));
    editor.elements.category.value = values.category || setup.categories[0].key;
    editor.elements.severity.value = values.severity || "minor";
    editor.elements.text.value = values.text || "";
    editor.querySelector(".lc-error").hidden = true;
    editor.hidden = false;
    select(box);
  }
  function closeForm(box) {
    box.querySelector(".lc-form").hidden = true;
    state.get(box).editing = null;
    select(box);
  }
  function select(box) {  // the range being written, highlighted in the code
    const editor = box.querySelector(".lc-form");
    const start = parseInt(editor.elements.start.value, 10), end = parseInt(editor.elements.end.value, 10);
    rows(cardOf(box)).forEach((tr, i) => {
      tr.classList.toggle("lc-selected", !editor.hidden && i + 1 >= start && i + 1 <= end);
    });
  }
  function save(box) {
    const editor = box.querySelector(".lc-form");
    const f = editor.elements, lines = lineCount(cardOf(box));
    const start = parseInt(f.start.value, 10), end = parseInt(f.end.value, 10), text = f.text.value;
    const error = editor.querySelector(".lc-error");
    let problem = "";
    if (!(start >= 1 && end >= start && end <= lines)) problem = "Choose lines within 1–" + lines + ", the first no later than the last.";
    else if (!text.trim()) problem = "Write the comment.";
    else if (Array.from(text).length > setup.max_text) problem = "The comment is over " + setup.max_text.toLocaleString("en") + " characters.";
    if (problem) { error.textContent = problem; error.hidden = false; return; }
    const s = state.get(box);
    const values = { label: box.dataset.response, start: start, end: end, category: f.category.value, severity: f.severity.value, text: text };
    const existing = comments.find((c) => c.id === s.editing);
    if (existing) Object.assign(existing, values);
    else comments.push(Object.assign({ id: newId() }, values));
    const id = existing ? existing.id : comments[comments.length - 1].id;
    closeForm(box);
    write();
    showComment(id);
  }
  function remove(id) {
    comments = comments.filter((c) => c.id !== id);
    write();
  }

  function replyForm(item, c) {
    const reply = el("form", "lc-reply");
    const label = el("label", "", "Your reply ");
    const area = el("textarea");
    area.name = "text"; area.rows = 2; area.required = true;
    label.append(area);
    const send = el("button", "small", "Send reply");
    send.type = "submit";
    const error = el("p", "error");
    error.hidden = true;
    reply.append(label, send, error);
    reply.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData();
      body.append("comment_id", c.id);
      body.append("text", area.value);
      try {
        const response = await fetch(setup.reply_url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf } });
        const answer = await response.json();
        if (response.status !== 201) { error.textContent = Object.values(answer.errors || {}).join("; "); error.hidden = false; return; }
        (setup.replies[c.id] = setup.replies[c.id] || []).push(answer);
        renderAll();
        showComment(c.id);
      } catch (failure) { error.textContent = "Not sent: no connection. Try again."; error.hidden = false; }
    });
    item.append(reply);
    area.focus();
  }

  function renderItem(box, c) {
    const item = el("li", "lc-item sev-" + c.severity);
    item.id = "lc-" + c.id;
    item.tabIndex = -1;
    const meta = el("div", "lc-meta");
    const jump = el("button", "link lc-lines", linesText(c));
    jump.type = "button";
    jump.addEventListener("click", () => {
      const row = rows(cardOf(box))[c.start - 1];
      if (row) row.scrollIntoView({ behavior: "smooth", block: "center" });
    });
    meta.append(jump, el("span", "tag", categories[c.category] || c.category), el("span", "lc-sev", SEVERITY[c.severity] || c.severity));
    item.append(meta, el("p", "lc-text", c.text));
    const thread = setup.replies[c.id] || [];
    if (thread.length) {
      const list = el("ul", "lc-replies");
      thread.forEach((r) => {
        const li = el("li");
        li.append(el("span", "lc-author", r.author), document.createTextNode(" "),
          el("span", "muted", new Date(r.created_at).toLocaleString()), el("p", "lc-text", r.text));
        list.append(li);
      });
      item.append(list);
    }
    const actions = el("p", "lc-actions");
    const edit = el("button", "small", "Edit");
    edit.type = "button";
    edit.setAttribute("aria-label", "Edit the comment on " + linesText(c).toLowerCase());
    edit.addEventListener("click", () => openForm(box, c));
    const del = el("button", "small", "Delete");
    del.type = "button";
    del.setAttribute("aria-label", "Delete the comment on " + linesText(c).toLowerCase());
    del.addEventListener("click", () => remove(c.id));
    actions.append(edit, del);
    if (thread.length) {  // a reviewer asked or answered: the annotator may answer back
      const answer = el("button", "small", "Reply");
      answer.type = "button";
      answer.addEventListener("click", () => { if (!item.querySelector(".lc-reply")) replyForm(item, c); });
      actions.append(answer);
    }
    item.append(actions);
    return item;
  }

  function render(box) {
    const mine = comments.filter((c) => c.label === box.dataset.response);
    const list = box.querySelector(".lc-list");
    list.replaceChildren(...mine.map((c) => renderItem(box, c)));
    markGutter(cardOf(box), mine, (c) => showComment(c.id));
  }
  function renderAll() { boxes.forEach(render); }

  boxes.forEach((box) => {
    state.set(box, { editing: null, anchor: null });
    const card = cardOf(box);
    const editor = box.querySelector(".lc-form");
    box.querySelector(".lc-add").addEventListener("click", () => {
      openForm(box, { start: 1, end: 1 });
      editor.elements.start.focus();
    });
    editor.addEventListener("submit", (event) => { event.preventDefault(); save(box); });
    editor.querySelector(".lc-cancel").addEventListener("click", () => closeForm(box));
    editor.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.stopPropagation(); closeForm(box); } });
    editor.elements.start.addEventListener("input", () => select(box));
    editor.elements.end.addEventListener("input", () => select(box));
    // a click on a line number starts a comment there; a shift-click extends it to a range
    card.querySelector(".code").addEventListener("click", (event) => {
      const cell = event.target.closest("td.ln");
      const row = cell && cell.closest("tr[data-line]");
      if (!row) return;
      const line = parseInt(row.dataset.line, 10);
      const s = state.get(box);
      if (event.shiftKey && !editor.hidden && s.anchor) {
        editor.elements.start.value = Math.min(s.anchor, line);
        editor.elements.end.value = Math.max(s.anchor, line);
        select(box);
      } else if (!editor.hidden && s.editing) {  // editing: a click moves the comment to that line
        editor.elements.start.value = editor.elements.end.value = line;
        s.anchor = line;
        select(box);
      } else {
        const text = editor.hidden ? "" : editor.elements.text.value;  // keep what was typed so far
        openForm(box, { start: line, end: line, text: text,
          category: editor.hidden ? "" : editor.elements.category.value, severity: editor.hidden ? "" : editor.elements.severity.value });
      }
      if (event.shiftKey) window.getSelection().removeAllRanges();  // shift-click selects text otherwise
      editor.elements.text.focus({ preventScroll: true });
    });
  });

  form.addEventListener("draft-filled", () => { read(); boxes.forEach(closeForm); renderAll(); });
  read();
  renderAll();
})();
