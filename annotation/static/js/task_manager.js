// The task manager: the header's box ticks or clears every task on this page; it shows a dash when
// only some are ticked.
"use strict";

(() => {
  const all = document.getElementById("tick-all");
  if (!all) return;
  const boxes = () => Array.from(document.querySelectorAll('#task-list tbody input[name="task"]'));
  const sync = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    all.checked = ticked > 0 && ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
  };
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
    sync();
  });
  document.getElementById("task-list").addEventListener("change", (event) => {
    if (event.target !== all) sync();
  });
  sync();  // a reload keeps ticks the browser restored
})();
