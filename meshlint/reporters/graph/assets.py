"""The stylesheet and script inlined into the HTML page (static: no input data inside)."""

from __future__ import annotations

CSS = """\
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #f8fafc; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
    "Liberation Sans", Arial, sans-serif;
  color: var(--ink); background: #ffffff; display: flex; flex-direction: column;
}
header {
  display: flex; align-items: center; gap: 22px; padding: 10px 22px;
  background: #0f172a; color: #ffffff;
}
.brand { font-weight: 700; font-size: 15px; letter-spacing: .2px; white-space: nowrap; }
.brand span { font-weight: 400; color: #94a3b8; }
.stats { color: #cbd5e1; font-size: 12px; flex: 1; }
.stats b { color: #ffffff; font-weight: 600; }
header label { font-size: 12px; color: #cbd5e1; }
header select {
  font: inherit; margin-left: 6px; padding: 4px 8px; border-radius: 6px;
  border: 1px solid #334155; background: #1e293b; color: #ffffff;
}
.hint { font-size: 11.5px; color: #94a3b8; }
.legend {
  display: flex; flex-wrap: wrap; align-items: center; gap: 5px 16px; padding: 7px 22px;
  border-bottom: 1px solid var(--line); background: var(--panel);
  font-size: 11.5px; color: #475569;
}
.legend svg { vertical-align: -2px; margin-right: 5px; }
.legend .sep { width: 1px; height: 16px; background: var(--line); }
main { flex: 1; overflow: auto; position: relative; }
.empty { margin: 48px auto; text-align: center; color: var(--muted); font-size: 14px; }
#graph { display: block; margin: 6px auto 24px; max-width: 100%; height: auto; }
#graph text { font-family: inherit; }
.label { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
.sub { font-size: 10.5px; fill: var(--muted); }
.tag { font-size: 9px; font-weight: 700; fill: #ffffff; letter-spacing: .3px; }
.badge { font-size: 9px; font-weight: 600; }
.rlabel { font-size: 11.5px; font-weight: 600; }
.rsub { font-size: 10px; fill: var(--muted); }
.band-title {
  font-size: 10.5px; font-weight: 700; fill: #94a3b8; letter-spacing: .9px;
  text-transform: uppercase;
}
.column-title {
  font-size: 10.5px; font-weight: 700; fill: #475569; letter-spacing: .7px;
  text-transform: uppercase;
}
.elabel text { font-size: 10.5px; font-weight: 600; }
.elabel.on-hover { display: none; }
.edge.faint path { stroke-opacity: .45; }
.edge.faint.hl path { stroke-opacity: 1; }
.node { cursor: pointer; }
.node:focus { outline: none; }
.card:focus > .frame, .card.pinned > .frame { stroke-width: 2.6; }
.row .hit { opacity: 0; }
.row:hover .hit, .row.hl .hit { opacity: 1; }
.edge path, .card, .elabel { transition: opacity .12s ease; }
#graph.focus .card:not(.hl):not(.hl-parent) { opacity: .18; }
#graph.focus .card.hl-parent:not(.hl) .row:not(.hl) { opacity: .4; }
#graph.focus .edge:not(.hl) { opacity: .06; }
#graph.focus .elabel:not(.hl) { opacity: .06; }
#graph.focus .elabel.on-hover.hl { display: inline; }
.off { opacity: .12; }
.band.off { opacity: .35; }
#details {
  position: fixed; right: 18px; bottom: 18px; width: 320px; display: none;
  background: #ffffff; border: 1px solid var(--line); border-radius: 10px;
  box-shadow: 0 10px 30px rgba(15, 23, 42, .14); padding: 12px 14px; font-size: 12px;
}
#details.shown { display: block; }
#details .kind {
  font-size: 10px; text-transform: uppercase; letter-spacing: .7px; color: var(--muted);
  font-weight: 700;
}
#details .title { font-size: 14px; font-weight: 700; margin: 2px 0; overflow-wrap: anywhere; }
#details .sub { color: #475569; }
#details .loc {
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; color: #2563eb;
  margin-top: 4px; overflow-wrap: anywhere;
}
#details pre {
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 0; font: inherit; color: #334155;
}
"""

JS = """\
(function () {
  "use strict";
  var svg = document.getElementById("graph");
  var panel = document.getElementById("details");
  var filter = document.getElementById("namespace-filter");
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node"));
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var labels = {};
  var byId = {};
  var incident = {};
  var pinned = null;
  svg.querySelectorAll(".elabel").forEach(function (label) {
    labels[label.getAttribute("data-e")] = label;
  });
  nodes.forEach(function (node) { byId[node.getAttribute("data-id")] = node; });
  edges.forEach(function (edge) {
    [edge.getAttribute("data-s"), edge.getAttribute("data-t")].forEach(function (id) {
      (incident[id] = incident[id] || []).push(edge);
    });
  });

  function members(node) {
    var id = node.getAttribute("data-id");
    var found = [id];
    nodes.forEach(function (other) {
      if (other.getAttribute("data-parent") === id) { found.push(other.getAttribute("data-id")); }
    });
    return found;
  }

  function mark(id) {
    var node = byId[id];
    if (!node) { return; }
    node.classList.add("hl");
    var parent = byId[node.getAttribute("data-parent") || ""];
    if (parent) { parent.classList.add("hl-parent"); }
  }

  function clear() {
    svg.classList.remove("focus");
    svg.querySelectorAll(".hl, .hl-parent").forEach(function (el) {
      el.classList.remove("hl", "hl-parent");
    });
  }

  function highlight(node) {
    clear();
    svg.classList.add("focus");
    members(node).forEach(function (id) {
      mark(id);
      (incident[id] || []).forEach(function (edge) {
        edge.classList.add("hl");
        var label = labels[edge.getAttribute("data-e")];
        if (label) { label.classList.add("hl"); }
        mark(edge.getAttribute("data-s"));
        mark(edge.getAttribute("data-t"));
      });
    });
    show(node);
  }

  function setText(selector, text) {
    var el = panel.querySelector(selector);
    el.textContent = text;
    el.hidden = !text;
  }

  function show(node) {
    setText(".kind", node.getAttribute("data-kind"));
    setText(".title", node.getAttribute("data-label"));
    setText(".sub", node.getAttribute("data-sub"));
    setText(".loc", node.getAttribute("data-loc"));
    setText("pre", node.getAttribute("data-detail"));
    panel.classList.add("shown");
  }

  function release() {
    if (pinned) { pinned.classList.remove("pinned"); }
    pinned = null;
    clear();
    panel.classList.remove("shown");
  }

  nodes.forEach(function (node) {
    node.addEventListener("mouseenter", function () { if (!pinned) { highlight(node); } });
    node.addEventListener("mouseleave", function () {
      if (!pinned) { clear(); panel.classList.remove("shown"); }
    });
    node.addEventListener("focus", function () { if (!pinned) { highlight(node); } });
    node.addEventListener("click", function (event) {
      event.stopPropagation();
      if (pinned) { pinned.classList.remove("pinned"); }
      pinned = node;
      node.classList.add("pinned");
      highlight(node);
    });
  });
  svg.addEventListener("click", release);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { release(); }
  });

  function namespaceOf(node) {
    var parent = byId[node.getAttribute("data-parent") || ""];
    return (parent || node).getAttribute("data-ns");
  }

  filter.addEventListener("change", function () {
    var wanted = filter.value;
    var off = {};
    nodes.forEach(function (node) {
      var out = wanted !== "*" && namespaceOf(node) !== wanted;
      off[node.getAttribute("data-id")] = out;
      if (!node.getAttribute("data-parent")) { node.classList.toggle("off", out); }
    });
    edges.forEach(function (edge) {
      var out = off[edge.getAttribute("data-s")] && off[edge.getAttribute("data-t")];
      edge.classList.toggle("off", out);
      var label = labels[edge.getAttribute("data-e")];
      if (label) { label.classList.toggle("off", out); }
    });
    svg.querySelectorAll(".band").forEach(function (band) {
      band.classList.toggle("off", wanted !== "*" && band.getAttribute("data-ns") !== wanted);
    });
  });
})();
"""
