"""One self-contained HTML page: header, legend, the inline SVG drawing and a little script.

Nothing is fetched: styles and script are inline, and a content security policy that allows
only those two blocks (by hash) also keeps any markup that slipped into a name inert.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from meshlint import __version__
from meshlint.graph.view import GraphView, NodeKind, ViewEdgeKind
from meshlint.reporters.graph import layout
from meshlint.reporters.graph.assets import CSS, JS
from meshlint.reporters.graph.style import DASHED_EDGES, EDGE_PAINT, MISSING, NODE_PAINT, Paint
from meshlint.reporters.graph.svg import attr, render_svg

LEGEND_NODES = (
    NodeKind.GATEWAY,
    NodeKind.MESH,
    NodeKind.SOURCE,
    NodeKind.VIRTUAL_SERVICE,
    NodeKind.SERVICE,
    NodeKind.WORKLOAD,
    NodeKind.POLICY,
)
LEGEND_EDGES = (
    ViewEdgeKind.BINDS,
    ViewEdgeKind.ROUTES,
    ViewEdgeKind.MIRRORS,
    ViewEdgeKind.SELECTS,
    ViewEdgeKind.ALLOW,
    ViewEdgeKind.DENY,
    ViewEdgeKind.APPLIES,
)
COUNTED = (
    (NodeKind.VIRTUAL_SERVICE, "VirtualServices"),
    (NodeKind.SERVICE, "services"),
    (NodeKind.WORKLOAD, "workloads"),
    (NodeKind.POLICY, "policies"),
)


def render(view: GraphView) -> str:
    """The page, deterministic (no timestamps), trailing newline."""
    svg = render_svg(view, layout.compute(view))
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                f'<meta http-equiv="Content-Security-Policy" content="{_policy()}">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f'<meta name="generator" content="meshlint {attr(__version__)}">',
                "<title>meshlint graph</title>",
                f"<style>{CSS}</style>",
                "</head>",
                "<body>",
                _header(view),
                _legend(),
                f"<main>{_empty(view)}{svg}</main>",
                _panel(),
                f"<script>{JS}</script>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _policy() -> str:
    return (
        f"default-src 'none'; style-src {_digest(CSS)}; script-src {_digest(JS)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _header(view: GraphView) -> str:
    counts = [
        f"<b>{sum(n.kind is kind for n in view.nodes)}</b> {escape(title)}"
        for kind, title in COUNTED
    ]
    namespaces = [ns for ns in view.namespaces if ns]
    counts.insert(0, f"<b>{len(namespaces)}</b> namespaces")
    options = ['<option value="*">all namespaces</option>']
    options.extend(
        f'<option value="{attr(ns)}">{escape(ns or "mesh-wide")}</option>' for ns in view.namespaces
    )
    return (
        '<header><div class="brand">meshlint <span>graph</span></div>'
        f'<div class="stats">{" · ".join(counts)}</div>'
        '<span class="hint">hover a node to trace it · click to pin · Esc to clear</span>'
        f'<label>Namespace<select id="namespace-filter">{"".join(options)}</select></label>'
        "</header>"
    )


def _swatch(paint: Paint, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    return (
        f'<svg width="16" height="12" aria-hidden="true"><rect x="1" y="1" width="14" '
        f'height="10" rx="3" fill="{paint.fill}" stroke="{paint.stroke}" '
        f'stroke-width="1.5"{dash}/></svg>'
    )


def _line(paint: Paint, dashed: bool) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<svg width="24" height="10" aria-hidden="true"><line x1="1" y1="5" x2="23" y2="5" '
        f'stroke="{paint.stroke}" stroke-width="2"{dash}/></svg>'
    )


def _legend() -> str:
    items = [
        f"<span>{_swatch(NODE_PAINT[k])}{escape(NODE_PAINT[k].title)}</span>" for k in LEGEND_NODES
    ]
    items.append(f"<span>{_swatch(MISSING, dashed=True)}{escape(MISSING.title)}</span>")
    items.append('<span class="sep"></span>')
    items.extend(
        f"<span>{_line(EDGE_PAINT[k], k in DASHED_EDGES)}{escape(EDGE_PAINT[k].title)}</span>"
        for k in LEGEND_EDGES
    )
    return f'<div class="legend">{"".join(items)}</div>'


def _empty(view: GraphView) -> str:
    if view.nodes:
        return ""
    return (
        '<p class="empty">Nothing to draw: the input has no Gateway, VirtualService, Service, '
        "workload or AuthorizationPolicy.</p>"
    )


def _panel() -> str:
    return (
        '<aside id="details" aria-live="polite"><div class="kind"></div>'
        '<div class="title"></div><div class="sub"></div><div class="loc"></div>'
        "<pre></pre></aside>"
    )
