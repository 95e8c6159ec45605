/* handover-docs: small layout and accessibility helpers for every page (self-contained).
 *
 * - A table wider than its column is shown as stacked rows (one card per row, each cell
 *   labelled with its column header), so no column is hidden and no page scrolls sideways.
 * - Digests shown shortened get a copy button that copies the full value.
 * - A region that still scrolls (a wide diagram) can be reached and scrolled by keyboard.
 * - The theme's search dialog gets a name; footer links are named by their visible text.
 */
(function () {
  "use strict";

  function labelCells(table) {
    var heads = table.tHead ? table.tHead.rows[0] : null;
    if (!heads) return;
    var names = Array.prototype.map.call(heads.cells, function (th) {
      return th.textContent.replace(/\s+/g, " ").trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[i] || "");
        });
      });
    });
  }

  function fitTables() {
    document.querySelectorAll(".md-typeset table:not([class]), .md-typeset table.ho-stack")
      .forEach(function (table) {
        table.classList.remove("ho-stack");
        // The scroll wrapper has the column's width; the table's own box (inline-block on
        // small screens) grows with the table, so it cannot tell.
        var wrap = table.closest(".md-typeset__scrollwrap") || table.parentElement;
        var inner = table.closest(".md-typeset__table");
        var room = wrap.clientWidth;
        if (inner) {
          var style = window.getComputedStyle(inner);
          room -= parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        }
        if (table.scrollWidth > room + 1) {
          labelCells(table);
          table.classList.add("ho-stack");
        }
      });
  }

  function copyButtons() {
    document.querySelectorAll("code.ho-digest[title]").forEach(function (code) {
      if (code.nextElementSibling && code.nextElementSibling.classList.contains("ho-copy")) return;
      var full = code.getAttribute("title");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ho-copy";
      button.textContent = "copy";
      button.setAttribute("aria-label", "Copy the full digest " + full);
      button.addEventListener("click", function () {
        var done = function () { button.textContent = "copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(full).then(done, function () {});
        } else {
          var range = document.createRange();
          code.textContent = full;
          range.selectNodeContents(code);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        }
      });
      code.insertAdjacentElement("afterend", button);
    });
  }

  function scrollRegions() {
    document.querySelectorAll(".md-typeset__scrollwrap, .handover-diagram__scroll")
      .forEach(function (region) {
        if (region.scrollWidth > region.clientWidth + 1) {
          region.setAttribute("tabindex", "0");
          region.setAttribute("role", "region");
          if (!region.hasAttribute("aria-label")) {
            var fig = region.closest("figure");
            var caption = fig && fig.querySelector("figcaption");
            region.setAttribute("aria-label", caption ? caption.textContent.trim() : "Scrollable content");
          }
        } else if (region.getAttribute("tabindex") === "0") {
          region.removeAttribute("tabindex");
        }
      });
  }

  function themeNames() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
    document.querySelectorAll("a.md-footer__link[aria-label]").forEach(function (a) {
      a.removeAttribute("aria-label");
    });
    document.querySelectorAll(".task-list-control input[type=checkbox]").forEach(function (box) {
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", box.checked ? "Done" : "Not done");
    });
  }

  function run() {
    themeNames();
    copyButtons();
    fitTables();
    scrollRegions();
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { fitTables(); scrollRegions(); }, 100);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
