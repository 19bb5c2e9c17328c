"""Renderers of the mesh graph view: DOT, Mermaid, JSON and a self-contained HTML page."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from meshlint.graph.view import GraphView
from meshlint.reporters.graph import dot, html, jsondoc, mermaid

GraphRenderer = Callable[[GraphView], str]

GRAPH_RENDERERS: Mapping[str, GraphRenderer] = {
    "dot": dot.render,
    "mermaid": mermaid.render,
    "json": jsondoc.render,
    "html": html.render,
}
# the formats of ``meshlint graph --format``, in the order its help lists them
GRAPH_FORMATS = tuple(GRAPH_RENDERERS)
