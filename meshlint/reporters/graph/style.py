"""Colours and names shared by every graph format, so DOT, Mermaid and HTML agree."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.graph.view import NodeKind, ViewEdgeKind


@dataclass(frozen=True, slots=True)
class Paint:
    stroke: str
    fill: str
    title: str  # legend text
    tag: str = ""  # short badge on HTML cards


NODE_PAINT: dict[NodeKind, Paint] = {
    NodeKind.GATEWAY: Paint("#3b6fd8", "#eaf1fd", "Gateway", "GW"),
    NodeKind.MESH: Paint("#475569", "#f1f5f9", "Mesh sidecars", "MESH"),
    NodeKind.SOURCE: Paint("#7c4dcc", "#f4effc", "Authorization source", "SRC"),
    NodeKind.VIRTUAL_SERVICE: Paint("#0f8a7e", "#e7f6f4", "VirtualService", "VS"),
    NodeKind.ROUTE: Paint("#0f8a7e", "#f3fbfa", "Route rule", "RULE"),
    NodeKind.SERVICE: Paint("#2563eb", "#edf3ff", "Service", "SVC"),
    NodeKind.SUBSET: Paint("#4f46e5", "#f3f3ff", "Subset (DestinationRule)", "SUBSET"),
    NodeKind.WORKLOAD: Paint("#1f7a3f", "#ecf8f0", "Workload", "WL"),
    NodeKind.POLICY: Paint("#b45309", "#fdf4e7", "AuthorizationPolicy", "AP"),
}
MISSING = Paint("#d92d20", "#fef0ef", "Referenced, not defined", "MISSING")

EDGE_PAINT: dict[ViewEdgeKind, Paint] = {
    ViewEdgeKind.BINDS: Paint("#3b6fd8", "", "binds host"),
    ViewEdgeKind.RULE: Paint("#94a3b8", "", "has rule"),
    ViewEdgeKind.ROUTES: Paint("#0f8a7e", "", "routes (effective %)"),
    ViewEdgeKind.MIRRORS: Paint("#0891b2", "", "mirrors"),
    ViewEdgeKind.DELEGATES: Paint("#64748b", "", "delegates"),
    ViewEdgeKind.SUBSET: Paint("#94a3b8", "", "has subset"),
    ViewEdgeKind.SELECTS: Paint("#4f46e5", "", "subset selects"),
    ViewEdgeKind.BACKS: Paint("#2563eb", "", "service endpoints"),
    ViewEdgeKind.APPLIES: Paint("#b45309", "", "policy applies"),
    ViewEdgeKind.ALLOW: Paint("#16a34a", "", "ALLOW"),
    ViewEdgeKind.DENY: Paint("#dc2626", "", "DENY"),
    ViewEdgeKind.AUDIT: Paint("#64748b", "", "AUDIT"),
    ViewEdgeKind.CUSTOM: Paint("#7c3aed", "", "CUSTOM"),
}
DASHED_EDGES = frozenset(
    {ViewEdgeKind.MIRRORS, ViewEdgeKind.DELEGATES, ViewEdgeKind.APPLIES, ViewEdgeKind.AUDIT}
)
AUTHZ_EDGES = frozenset(
    {ViewEdgeKind.ALLOW, ViewEdgeKind.DENY, ViewEdgeKind.AUDIT, ViewEdgeKind.CUSTOM}
)
MTLS_COLOURS = {"STRICT": "#1f7a3f", "PERMISSIVE": "#b45309", "DISABLE": "#d92d20"}


def namespace_title(namespace: str) -> str:
    return f"namespace {namespace}" if namespace else "mesh-wide"
