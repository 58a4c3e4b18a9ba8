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
})();
