/* Layout that CSS cannot take from markup alone, done through the CSSOM so that the
   Content Security Policy needs no 'unsafe-inline': grid positions and visit colours. */
(function () {
  "use strict";

  function place(root) {
    root.querySelectorAll("[data-grid-area]").forEach(function (element) {
      element.style.gridArea = element.dataset.gridArea;
    });
    root.querySelectorAll("[data-columns]").forEach(function (element) {
      element.style.setProperty("--columns", element.dataset.columns);
    });
    root.querySelectorAll("[data-colour]").forEach(function (element) {
      element.style.setProperty("--visit-colour", element.dataset.colour);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { place(document); });
  // Swapped-in fragments are small and the board has a few hundred cells: redo the page.
  document.addEventListener("htmx:load", function () { place(document); });

  // On narrow screens the details panel sits below the board, out of sight: show what was
  // just opened in it. Beside the board (sticky) it is already in view.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail.target;
    if (panel.id === "panel" && getComputedStyle(panel).position !== "sticky") {
      panel.scrollIntoView({ block: "start" });
    }
  });
})();
