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
    // Code blocks wider than a phone scroll sideways: keyboard users must reach them too.
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (code.scrollWidth > code.clientWidth + 1) code.setAttribute("tabindex", "0");
    });
  }

  function themeNames() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
    // The footer links' aria-label differs from their visible text; where the title is
    // shown, the visible text names the link. On phones material hides the title: keep it.
    document.querySelectorAll("a.md-footer__link[aria-label]").forEach(function (a) {
      var title = a.querySelector(".md-footer__title");
      if (title && getComputedStyle(title).display !== "none") a.removeAttribute("aria-label");
    });
    document.querySelectorAll(".task-list-control input[type=checkbox]").forEach(function (box) {
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", box.checked ? "Done" : "Not done");
    });
  }

  /* A full-screen view of a diagram: zoom (buttons, +/-, wheel), pan (drag, arrow keys),
   * 0 fits it, Esc closes and gives the focus back. Self-contained: the drawing is cloned. */
  function openViewer(figure, opener) {
    var drawing = figure.querySelector(".handover-diagram__scroll svg, .handover-diagram__scroll img");
    if (!drawing) return;
    var caption = figure.querySelector("figcaption");
    var name = caption ? caption.textContent.trim() : "Diagram";
    var overlay = document.createElement("div");
    overlay.className = "ho-viewer";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", name + " (full screen)");
    var bar = document.createElement("div");
    bar.className = "ho-viewer__bar";
    var stage = document.createElement("div");
    stage.className = "ho-viewer__stage";
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Drawing: drag or use the arrow keys to pan, + and - to zoom, 0 to fit");
    var copy = drawing.cloneNode(true);
    copy.removeAttribute("id");
    copy.classList.add("ho-viewer__drawing");
    stage.appendChild(copy);
    var state = { scale: 1, x: 0, y: 0 };
    function apply() {
      copy.style.transform = "translate(" + state.x + "px," + state.y + "px) scale(" + state.scale + ")";
      overlay.setAttribute("data-scale", state.scale.toFixed(3));
    }
    function fit() {
      copy.style.transform = "none";
      var own = copy.getBoundingClientRect();
      var box = { w: own.width || 1, h: own.height || 1 };
      var room = stage.getBoundingClientRect();
      state.scale = Math.min(room.width / box.w, room.height / box.h, 4) || 1;
      state.x = (room.width - box.w * state.scale) / 2;
      state.y = (room.height - box.h * state.scale) / 2;
      apply();
    }
    function zoom(factor) {
      var room = stage.getBoundingClientRect();
      var cx = room.width / 2, cy = room.height / 2;
      var next = Math.max(0.05, Math.min(20, state.scale * factor));
      state.x = cx - (cx - state.x) * (next / state.scale);
      state.y = cy - (cy - state.y) * (next / state.scale);
      state.scale = next;
      apply();
    }
    function button(label, text, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "ho-viewer__button";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", action);
      bar.appendChild(b);
      return b;
    }
    function close() {
      document.removeEventListener("keydown", onKey, true);
      overlay.remove();
      document.documentElement.classList.remove("ho-viewer-open");
      if (opener) opener.focus();
    }
    function onKey(event) {
      if (event.key === "Escape") { event.preventDefault(); close(); return; }
      if (event.target && event.target.tagName === "BUTTON" && event.key === "Enter") return;
      var step = 60;
      var keys = {
        "+": function () { zoom(1.25); }, "=": function () { zoom(1.25); },
        "-": function () { zoom(0.8); }, "0": fit,
        ArrowLeft: function () { state.x += step; apply(); },
        ArrowRight: function () { state.x -= step; apply(); },
        ArrowUp: function () { state.y += step; apply(); },
        ArrowDown: function () { state.y -= step; apply(); }
      };
      if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
      if (event.key === "Tab") {  // keep the focus inside the dialog
        var items = overlay.querySelectorAll("button, .ho-viewer__stage");
        var first = items[0], last = items[items.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    }
    var title = document.createElement("span");
    title.className = "ho-viewer__title";
    title.textContent = name;
    bar.appendChild(title);
    button("Zoom in", "+", function () { zoom(1.25); });
    button("Zoom out", "\u2212", function () { zoom(0.8); });
    button("Fit to screen", "Fit", fit);
    var closer = button("Close the full-screen view", "Close", close);
    var drag = null;
    stage.addEventListener("pointerdown", function (e) {
      drag = { x: e.clientX - state.x, y: e.clientY - state.y };
      stage.setPointerCapture(e.pointerId);
    });
    stage.addEventListener("pointermove", function (e) {
      if (!drag) return;
      state.x = e.clientX - drag.x;
      state.y = e.clientY - drag.y;
      apply();
    });
    stage.addEventListener("pointerup", function () { drag = null; });
    stage.addEventListener("wheel", function (e) {
      e.preventDefault();
      zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15);
    }, { passive: false });
    overlay.appendChild(bar);
    overlay.appendChild(stage);
    document.body.appendChild(overlay);
    document.documentElement.classList.add("ho-viewer-open");
    document.addEventListener("keydown", onKey, true);
    fit();
    closer.focus();
  }

  function diagramViewers() {
    document.querySelectorAll("figure.handover-diagram").forEach(function (figure) {
      if (figure.querySelector(".ho-zoom-open")) return;
      var open = document.createElement("button");
      open.type = "button";
      open.className = "ho-zoom-open";
      open.textContent = "Open full screen (zoom and pan)";
      open.addEventListener("click", function () { openViewer(figure, open); });
      figure.insertBefore(open, figure.firstChild);
    });
  }

  function run() {
    themeNames();
    diagramViewers();
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
