"""Graphviz DOT: one cluster per namespace, left to right, styled like the HTML page."""

from __future__ import annotations

from meshlint.graph.view import GraphView, ViewEdge, ViewEdgeKind, ViewNode
from meshlint.reporters.graph.style import (
    DASHED_EDGES,
    EDGE_PAINT,
    MISSING,
    NODE_PAINT,
    namespace_title,
)

HEADER = (
    "digraph meshlint {",
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.8];',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
)


def render(view: GraphView) -> str:
    """The whole DOT document, deterministic, trailing newline."""
    lines = list(HEADER)
    for index, namespace in enumerate(view.namespaces):
        lines.extend(
            _cluster(index, namespace, [n for n in view.nodes if n.namespace == namespace])
        )
    lines.extend(_edge(edge) for edge in view.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``, and
    ``&`` as ``&amp;`` (Graphviz decodes HTML entities in every string)."""
    escaped = text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _cluster(index: int, namespace: str, nodes: list[ViewNode]) -> list[str]:
    title = quote(namespace_title(namespace))
    lines = [
        f"  subgraph cluster_{index} {{",
        f'    label={title}; style="rounded"; color="#cbd5e1"; fontcolor="#475569";',
    ]
    lines.extend(f"    {_node(node)}" for node in nodes)
    lines.append("  }")
    return lines


def _node(node: ViewNode) -> str:
    paint = MISSING if node.missing else NODE_PAINT[node.kind]
    text = "\n".join(part for part in (node.label, node.sublabel, node.location) if part)
    style = ', style="rounded,filled,dashed"' if node.missing else ""
    attrs = f'label={quote(text)}, color="{paint.stroke}", fillcolor="{paint.fill}"{style}'
    return f"{quote(node.id)} [{attrs}];"


def _edge(edge: ViewEdge) -> str:
    """One edge; a policy ranks right of its workloads (laid out reversed, drawn back)."""
    paint = EDGE_PAINT[edge.kind]
    attrs = [f'color="{paint.stroke}"', f"fontcolor={quote(paint.stroke)}"]
    if edge.label:
        attrs.append(f"label={quote(edge.label)}")
    if edge.kind in DASHED_EDGES:
        attrs.append("style=dashed")
    if edge.percent is not None:
        attrs.append(f"penwidth={1 + 2 * edge.percent / 100:.2f}")
    source, target = edge.source, edge.target
    if edge.kind is ViewEdgeKind.APPLIES:
        source, target = target, source
        attrs.append("dir=back")
    return f"  {quote(source)} -> {quote(target)} [{', '.join(attrs)}];"
