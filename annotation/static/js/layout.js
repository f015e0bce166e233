// The workspace's layout for reading code: responses side by side or as tabs (the choice is
// remembered by this browser), per-response line wrapping (the last choice becomes the default) and
// expand-to-the-whole-window. Nothing here is saved to the server: it is how the page is read.
(function () {
  "use strict";
  const root = document.getElementById("workspace");
  const list = document.getElementById("responses");
  if (!root || !list) return;
  const cards = Array.from(list.querySelectorAll(".response"));
  const tabBar = document.querySelector(".view-tabs");
  const tabs = Array.from(tabBar.querySelectorAll("[role=tab]"));
  const viewButtons = Array.from(document.querySelectorAll(".view-choice [data-view]"));
  const KEY = "annotation-layout";

  function prefs() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function remember(patch) {
    try { localStorage.setItem(KEY, JSON.stringify(Object.assign(prefs(), patch))); } catch (e) { /* private mode */ }
  }

  // The sticky work bar's height, so the two panes fill the window below it.
  const bar = document.querySelector(".workbar");
  function measure() { document.documentElement.style.setProperty("--bar", bar.offsetHeight + "px"); }
  measure();
  window.addEventListener("resize", measure);

  let view = prefs().view || (cards.length > 2 ? "tabs" : "side");
  let current = 0;

  function show(index, focusTab) {
    current = (index + cards.length) % cards.length;
    cards.forEach((card, i) => {
      const on = i === current;
      if (view === "tabs") card.hidden = !on;
      tabs[i].setAttribute("aria-selected", on ? "true" : "false");
      tabs[i].tabIndex = on ? 0 : -1;
    });
    if (focusTab) tabs[current].focus();
  }

  function setView(next) {
    view = next === "tabs" ? "tabs" : "side";
    list.classList.toggle("view-tabs-on", view === "tabs");
    list.classList.toggle("view-side", view === "side");
    tabBar.hidden = view !== "tabs";
    viewButtons.forEach((b) => b.setAttribute("aria-pressed", b.dataset.view === view ? "true" : "false"));
    cards.forEach((card, i) => {
      if (view === "tabs") {
        card.setAttribute("role", "tabpanel");
        card.setAttribute("aria-labelledby", tabs[i].id);
      } else {
        card.hidden = false;
        card.removeAttribute("role");
        card.setAttribute("aria-labelledby", "response-title-" + card.dataset.display);
      }
    });
    show(current, false);
  }

  viewButtons.forEach((b) => b.addEventListener("click", () => { setView(b.dataset.view); remember({ view: view }); }));
  tabs.forEach((tab, i) => tab.addEventListener("click", () => show(i, false)));
  tabBar.addEventListener("keydown", (event) => {  // the ARIA tabs pattern: arrows move, Home/End jump
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: cards.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(moves[event.key], true);
  });

  function setWrap(card, on) {
    card.classList.toggle("wrap", on);
    card.querySelector("[data-action=wrap]").setAttribute("aria-pressed", on ? "true" : "false");
  }
  let expanded = null;
  function setExpanded(card, on) {
    if (expanded && expanded !== card) setExpanded(expanded, false);
    card.classList.toggle("expanded", on);
    const button = card.querySelector("[data-action=expand]");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Back" : "Expand";
    document.body.classList.toggle("has-expanded", on);
    expanded = on ? card : null;
    button.focus();
  }
  const wrapAll = prefs().wrap;  // undefined until the annotator chooses: then prose wraps, code does not
  cards.forEach((card) => {
    setWrap(card, wrapAll === undefined ? card.dataset.prose === "1" : wrapAll === true);
    card.querySelector("[data-action=wrap]").addEventListener("click", () => {
      const on = !card.classList.contains("wrap");
      setWrap(card, on);
      remember({ wrap: on });
    });
    card.querySelector("[data-action=expand]").addEventListener("click", () => {
      setExpanded(card, !card.classList.contains("expanded"));
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && expanded) { event.preventDefault(); setExpanded(expanded, false); }
  });

  // n / p in workspace.js move between responses; in tabs that means showing the tab.
  window.showResponse = function (card) {
    const index = cards.indexOf(card);
    if (index >= 0 && view === "tabs") show(index, false);
  };

  window.shownResponse = function (fallback) { return view === "tabs" ? current : fallback; };

  setView(view);
})();
