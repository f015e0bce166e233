// The People page: "Copy" buttons put a read-only field's text (a new invitation link) on the clipboard.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const done = document.querySelector(`[data-copied="${button.dataset.copy}"]`);
  const shown = () => { if (done) done.hidden = false; };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(shown, () => document.execCommand("copy") && shown());
  } else if (document.execCommand("copy")) {
    shown();
  }
});
