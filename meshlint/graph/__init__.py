"""The routing and authorization graph: the only networkx importer (imported lazily)."""

from __future__ import annotations

from meshlint.graph.core import MeshGraph
from meshlint.graph.nodes import (
    ANY_NAMESPACE,
    ClientScope,
    DestinationNode,
    DestinationRuleNode,
    Edge,
    EdgeKind,
    Node,
    PeerAuthenticationNode,
    PolicyNode,
    RouteRuleNode,
    ServiceNode,
    SubsetNode,
    VirtualHostNode,
    VirtualServiceNode,
    WorkloadNode,
)
from meshlint.graph.view import GraphView, ViewEdge, ViewEdgeKind, ViewNode, build_view

__all__ = [
    "ANY_NAMESPACE",
    "ClientScope",
    "DestinationNode",
    "DestinationRuleNode",
    "Edge",
    "EdgeKind",
    "GraphView",
    "MeshGraph",
    "Node",
    "PeerAuthenticationNode",
    "PolicyNode",
    "RouteRuleNode",
    "ServiceNode",
    "SubsetNode",
    "ViewEdge",
    "ViewEdgeKind",
    "ViewNode",
    "VirtualHostNode",
    "VirtualServiceNode",
    "WorkloadNode",
    "build_view",
]
