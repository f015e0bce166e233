// The project settings page's visual editors: the rubric (dimensions: key, label, help, scale, required)
// and the line comment categories (key, label). Each edits the JSON textarea it is attached to
// (data-for), which is what the form posts, so the page works without this script too (the textarea
// sits in a <details>). After each change the textarea gets a "setup-changed" event, on which htmx asks
// the server for the rubric preview. Inputs here carry no name: only the textarea is posted.
(function () {
  "use strict";

  var EDITORS = {
    rubric: {
      noun: "dimension",
      columns: [
        { name: "key", label: "Key", type: "text" },
        { name: "label", label: "Label", type: "text" },
        { name: "help", label: "Help", type: "text" },
        { name: "min", label: "Min", type: "number" },
        { name: "max", label: "Max", type: "number" },
        { name: "required", label: "Required", type: "checkbox" },
      ],
      blank: function () { return { key: "", label: "", help: "", min: 1, max: 5, required: true }; },
    },
    categories: {
      noun: "category",
      columns: [
        { name: "key", label: "Key", type: "text" },
        { name: "label", label: "Label", type: "text" },
      ],
      blank: function () { return { key: "", label: "" }; },
    },
  };

  // A key from a label, as the server accepts keys: a-z, 0-9 and _, starting with a letter, 40 at most.
  function keyOf(label) {
    return label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^[^a-z]+/, "").replace(/_+$/, "").slice(0, 40);
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setup(root) {
    var textarea = document.getElementById(root.dataset.for);
    var config = EDITORS[root.dataset.editor];
    if (!textarea || !config) return;
    var locked = JSON.parse(root.dataset.locked || "[]");
    var rows = [];
    var automatic = []; // per row: is its key still made from its label?

    function load() {
      var parsed;
      try { parsed = JSON.parse(textarea.value); } catch (e) { parsed = null; }
      rows = Array.isArray(parsed) ? parsed.filter(function (r) { return r && typeof r === "object"; }) : [];
      automatic = rows.map(function (r) { return !r.key; });
    }

    function save() {
      textarea.value = JSON.stringify(rows, null, 2);
      textarea.dispatchEvent(new Event("setup-changed"));
    }

    function input(row, index, column) {
      var what = column.label + " of " + config.noun + " " + (index + 1);
      var field = element("input", { type: column.type, "aria-label": what, "data-column": column.name });
      if (column.type === "checkbox") {
        field.checked = row[column.name] !== false;
      } else {
        field.value = row[column.name] === undefined ? "" : String(row[column.name]);
      }
      if (column.type === "number") { field.min = "0"; field.max = "10"; field.step = "1"; }
      if (column.name === "key" && locked.indexOf(row.key) >= 0) {
        field.readOnly = true;
        field.title = "Saved keys stay as they are; change the label, or add a new " + config.noun;
      }
      field.addEventListener(column.type === "checkbox" ? "change" : "input", function () {
        if (column.type === "checkbox") {
          row[column.name] = field.checked;
        } else if (column.type === "number") {
          var number = parseInt(field.value, 10);
          row[column.name] = isNaN(number) ? field.value : number;
        } else {
          row[column.name] = field.value;
        }
        if (column.name === "key") automatic[index] = false;
        if (column.name === "label" && automatic[index]) {
          row.key = keyOf(field.value);
          var key = field.closest("tr").querySelector("[data-column=key]");
          if (key) key.value = row.key;
        }
        save();
      });
      return field;
    }

    function button(text, label, action) {
      var node = element("button", { type: "button", class: "small", "aria-label": label }, text);
      node.addEventListener("click", function () { action(); save(); render(); });
      return node;
    }

    function move(index, by) {
      var to = index + by;
      if (to < 0 || to >= rows.length) return;
      rows.splice(to, 0, rows.splice(index, 1)[0]);
      automatic.splice(to, 0, automatic.splice(index, 1)[0]);
    }

    function render() {
      root.textContent = "";
      var table = element("table", { class: "grid compact editor-table" });
      var head = element("tr");
      config.columns.forEach(function (c) { head.appendChild(element("th", {}, c.label)); });
      head.appendChild(element("th", {}, "Order"));
      table.appendChild(element("thead")).appendChild(head);
      var body = table.appendChild(element("tbody"));
      rows.forEach(function (row, index) {
        var tr = body.appendChild(element("tr", { "data-row": String(index) }));
        config.columns.forEach(function (c) {
          tr.appendChild(element("td", { class: "col-" + c.name })).appendChild(input(row, index, c));
        });
        var n = config.noun + " " + (index + 1);
        var actions = tr.appendChild(element("td", { class: "row-actions" }));
        actions.appendChild(button("↑", "Move " + n + " up", function () { move(index, -1); }));
        actions.appendChild(button("↓", "Move " + n + " down", function () { move(index, 1); }));
        actions.appendChild(button("Remove", "Remove " + n, function () {
          rows.splice(index, 1);
          automatic.splice(index, 1);
        }));
      });
      root.appendChild(table);
      root.appendChild(button("Add " + config.noun, "Add " + config.noun, function () {
        rows.push(config.blank());
        automatic.push(true);
      }));
    }

    textarea.addEventListener("change", function () { load(); render(); }); // edited as JSON
    load();
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".list-editor").forEach(setup);
  });
})();
