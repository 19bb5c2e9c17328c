"""Mermaid flowchart: one subgraph per namespace; every label quoted and entity-escaped."""

from __future__ import annotations

from meshlint.graph.view import GraphView, NodeKind, ViewEdge, ViewNode
from meshlint.reporters.graph.style import (
    DASHED_EDGES,
    EDGE_PAINT,
    MISSING,
    NODE_PAINT,
    namespace_title,
)

SHAPES: dict[NodeKind, tuple[str, str]] = {
    NodeKind.GATEWAY: ("([", "])"),
    NodeKind.MESH: ("([", "])"),
    NodeKind.SOURCE: (">", "]"),
    NodeKind.VIRTUAL_SERVICE: ("[", "]"),
    NodeKind.ROUTE: ("(", ")"),
    NodeKind.SERVICE: ("[[", "]]"),
    NodeKind.SUBSET: ("(", ")"),
    NodeKind.WORKLOAD: ("[", "]"),
    NodeKind.POLICY: ("{{", "}}"),
}
# "#" first: every other replacement introduces one
ENTITIES: tuple[tuple[str, str], ...] = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("&", "#amp;"),
    ("|", "#124;"),
    ("`", "#96;"),
    ("\n", " "),
    ("\r", " "),
)


def render(view: GraphView) -> str:
    """``flowchart LR``, deterministic, trailing newline."""
    ids = {node.id: f"n{index}" for index, node in enumerate(view.nodes)}
    lines = ["flowchart LR"]
    for index, namespace in enumerate(view.namespaces):
        lines.append(f'  subgraph ns{index}["{escape(namespace_title(namespace))}"]')
        lines.extend(f"    {_node(ids[n.id], n)}" for n in view.nodes if n.namespace == namespace)
        lines.append("  end")
    lines.extend(f"  {_edge(ids, edge)}" for edge in view.edges)
    lines.extend(_class_defs())
    lines.extend(_classes(ids, view.nodes))
    lines.extend(_link_styles(view.edges))
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label (Mermaid's ``#name;`` entity codes)."""
    for raw, entity in ENTITIES:
        text = text.replace(raw, entity)
    return text


def _node(node_id: str, node: ViewNode) -> str:
    opening, closing = SHAPES[node.kind]
    text = escape(node.label)
    if node.sublabel:
        text += "<br/><small>" + escape(node.sublabel) + "</small>"
    return f'{node_id}{opening}"{text}"{closing}'


def _edge(ids: dict[str, str], edge: ViewEdge) -> str:
    arrow = "-.->" if edge.kind in DASHED_EDGES else "-->"
    label = f'|"{escape(edge.label)}"|' if edge.label else ""
    return f"{ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _class_defs() -> list[str]:
    lines = [
        f"  classDef {kind.value} fill:{paint.fill},stroke:{paint.stroke},color:#0f172a"
        for kind, paint in NODE_PAINT.items()
    ]
    style = f"fill:{MISSING.fill},stroke:{MISSING.stroke},stroke-dasharray:4 3,color:#0f172a"
    lines.append(f"  classDef missing {style}")
    return lines


def _classes(ids: dict[str, str], nodes: tuple[ViewNode, ...]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for node in nodes:
        groups.setdefault("missing" if node.missing else node.kind.value, []).append(ids[node.id])
    return [f"  class {','.join(members)} {name}" for name, members in groups.items()]


def _link_styles(edges: tuple[ViewEdge, ...]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for index, edge in enumerate(edges):
        groups.setdefault(EDGE_PAINT[edge.kind].stroke, []).append(str(index))
    return [
        f"  linkStyle {','.join(members)} stroke:{colour}" for colour, members in groups.items()
    ]
