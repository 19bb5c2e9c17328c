"""Authorization edges: workload -> deciding PeerAuthentication per port, -> AuthorizationPolicies.

The mode and the policies come from ``Mesh`` (4.2, 5.2); this module only records them.
"""

from __future__ import annotations

from meshlint.graph.nodes import Edge, EdgeKind, PeerAuthenticationNode, PolicyNode, WorkloadNode
from meshlint.graph.routing import Sink
from meshlint.mesh import Mesh, MtlsDecision, WorkloadInfo

DEFAULT_PEER_AUTHENTICATION = PeerAuthenticationNode("", "")


def workload_node(workload: WorkloadInfo) -> WorkloadNode:
    return WorkloadNode(workload.kind.kind_name, workload.namespace, workload.name)


def add_workloads(mesh: Mesh, sink: Sink) -> None:
    """A node per workload (routing needs them before it links destinations)."""
    for workload in mesh.workloads():
        node = workload_node(workload)
        sink.workload_nodes[id(workload.resource)] = node
        sink.resources[node] = workload.resource


def add_authorization(mesh: Mesh, sink: Sink) -> None:
    for workload in mesh.workloads():
        node = sink.workload_nodes[id(workload.resource)]
        _add_mtls(mesh, sink, workload, node)
        for policy in mesh.policies_for_workload(workload):
            target = PolicyNode(mesh.namespace_of(policy), policy.name)
            sink.resources[target] = policy
            edge = Edge(EdgeKind.AUTHORIZED_BY, action=str(policy.spec.effective_action))
            sink.add(node, target, edge)


def _add_mtls(mesh: Mesh, sink: Sink, workload: WorkloadInfo, node: WorkloadNode) -> None:
    """One edge for the workload as a whole (port None), and one per declared port whose
    decision differs from it (a port-level setting); ``MeshGraph.mtls_for`` falls back."""
    base = mesh.peer_authentication_mode(workload)
    sink.add(node, _pa_node(mesh, sink, base), _mtls_edge(None, base))
    for port in sorted({p.number for p in workload.ports}):
        decision = mesh.peer_authentication_mode(workload, port)
        if decision != base:
            sink.add(node, _pa_node(mesh, sink, decision), _mtls_edge(port, decision))


def _pa_node(mesh: Mesh, sink: Sink, decision: MtlsDecision) -> PeerAuthenticationNode:
    if decision.policy is None:
        return DEFAULT_PEER_AUTHENTICATION
    target = PeerAuthenticationNode(mesh.namespace_of(decision.policy), decision.policy.name)
    sink.resources[target] = decision.policy
    return target


def _mtls_edge(port: int | None, decision: MtlsDecision) -> Edge:
    return Edge(EdgeKind.MTLS, port=port, mode=decision.mode.value, level=decision.level.value)
