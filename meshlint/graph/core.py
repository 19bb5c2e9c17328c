"""MeshGraph: the routing and authorization graph, built once per run, with typed queries."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from meshlint.graph.authz import add_authorization, add_workloads, workload_node
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
from meshlint.graph.routing import RoutingBuilder, Sink
from meshlint.mesh import Mesh, WorkloadInfo
from meshlint.model.base import Resource
from meshlint.model.networking import DestinationRule

if TYPE_CHECKING:
    import networkx as nx

ROUTE_KINDS = frozenset({EdgeKind.ROUTES_TO, EdgeKind.MIRRORS_TO})
USE_KINDS = frozenset({EdgeKind.USES_RULE, EdgeKind.USES_SUBSET})


def _order(item: tuple[Node, Edge]) -> tuple[int, str]:
    return (item[1].order or 0, str(item[0]))


class _Built:
    """The built graph: networkx holds dense integer ids (C-level hashing keeps the build
    fast); the typed keys live in ``nodes`` / ``ids`` and are all a caller ever sees."""

    __slots__ = ("g", "ids", "nodes", "sink")

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        ids: dict[Node, int] = {}
        for node in sink.resources:
            ids.setdefault(node, len(ids))
        for source, target in sink.edges:
            ids.setdefault(source, len(ids))
            ids.setdefault(target, len(ids))
        self.ids = ids
        self.nodes: list[Node] = list(ids)
        edges = [(ids[u], ids[v], {"e": tuple(es)}) for (u, v), es in sink.edges.items()]
        self.g = _to_networkx(len(self.nodes), edges)


class MeshGraph:
    """The routing and authorization graph of a ``Mesh``, built on the first query.

    ``MeshGraph(mesh)`` costs nothing (no networkx import); the pipeline makes one per run
    and hands it to every rule, so only runs with a rule that queries it pay for the build.
    """

    def __init__(self, mesh: Mesh) -> None:
        self._mesh = mesh
        self._built: _Built | None = None

    @classmethod
    def build(cls, mesh: Mesh) -> MeshGraph:
        """A graph built now (benchmarks, ``meshlint graph``)."""
        graph = cls(mesh)
        graph._state()
        return graph

    @property
    def is_built(self) -> bool:
        return self._built is not None

    def _state(self) -> _Built:
        if self._built is None:
            with _collector_paused():
                sink = Sink()
                add_workloads(self._mesh, sink)
                RoutingBuilder(self._mesh, sink).build()
                add_authorization(self._mesh, sink)
                self._built = _Built(sink)
        return self._built

    @property
    def _sink(self) -> Sink:
        return self._state().sink

    @property
    def _ids(self) -> dict[Node, int]:
        return self._state().ids

    @property
    def _nodes(self) -> list[Node]:
        return self._state().nodes

    @property
    def _g(self) -> nx.DiGraph[int]:
        return self._state().g

    # ------------------------------------------------------------------ plumbing

    @property
    def node_count(self) -> int:
        return len(self._nodes)

    @property
    def edge_count(self) -> int:
        """Typed edges (parallel edges between the same two nodes count separately)."""
        return sum(len(edges) for edges in self._sink.edges.values())

    def __contains__(self, node: object) -> bool:
        return node in self._ids

    def resource(self, node: Node) -> Resource | None:
        """The resource a node stands for (VS, DR, workload, policy, Gateway client)."""
        return self._sink.resources.get(node)

    def out_edges(self, node: Node, kinds: Iterable[EdgeKind]) -> list[tuple[Node, Edge]]:
        """(target, edge) of the given kinds, in edge order."""
        index = self._ids.get(node)
        if index is None:
            return []
        wanted = frozenset(kinds)
        nodes = self._nodes
        found = [(nodes[v], e) for v, es in self._g.adj[index].items() for e in _edges(es)]
        return sorted(((v, e) for v, e in found if e.kind in wanted), key=_order)

    def in_edges(self, node: Node, kinds: Iterable[EdgeKind]) -> list[tuple[Node, Edge]]:
        """(source, edge) of the given kinds."""
        index = self._ids.get(node)
        if index is None:
            return []
        wanted = frozenset(kinds)
        nodes = self._nodes
        found = [(nodes[u], e) for u, es in self._g.pred[index].items() for e in _edges(es)]
        return sorted(((u, e) for u, e in found if e.kind in wanted), key=_order)

    # ------------------------------------------------------------------ clients and routes

    def clients(self) -> tuple[ClientScope, ...]:
        return tuple(sorted(n for n in self._nodes if isinstance(n, ClientScope)))

    def client_for_workload(self, workload: WorkloadNode) -> ClientScope:
        """The sidecar client a workload's outbound traffic starts from (namespace view)."""
        return self.client_for_namespace(workload.namespace)

    def client_for_namespace(self, namespace: str) -> ClientScope:
        """The sidecar client of ``namespace``; where its route tables equal the public ones,
        queries read those of ``sidecar:*``."""
        return ClientScope.sidecar(namespace)

    def virtual_hosts(self, client: ClientScope, host: str) -> list[VirtualHostNode]:
        """Route tables of ``client`` for ``host``: a sidecar's own (else the public one), or
        a gateway's per server port."""
        if client.is_gateway:
            found = self.out_edges(client, {EdgeKind.HAS_HOST})
            hosts = [v for v, _ in found if isinstance(v, VirtualHostNode) and v.host == host]
            return sorted(hosts, key=lambda v: (v.port or 0, str(v)))
        own = VirtualHostNode(client, host.lower())
        if own in self._ids or client in self._sink.complete:
            return [own] if own in self._ids else []
        fallback = VirtualHostNode(ClientScope.sidecar(ANY_NAMESPACE), host.lower())
        return [fallback] if fallback in self._ids else []

    def virtual_services_for(
        self, client: ClientScope, host: str, port: int | None = None
    ) -> tuple[VirtualServiceNode, ...]:
        """The VS a sidecar uses for ``host``, or a gateway's merged VSes in merge order."""
        found: list[VirtualServiceNode] = []
        for vhost in self.virtual_hosts(client, host):
            if port is None or vhost.port == port:
                for vs, _ in self.out_edges(vhost, {EdgeKind.SELECTS_VS}):
                    if isinstance(vs, VirtualServiceNode) and vs not in found:
                        found.append(vs)
        return tuple(found)

    def rules_of(self, vs: VirtualServiceNode) -> tuple[RouteRuleNode, ...]:
        found = self.out_edges(vs, {EdgeKind.HAS_RULE})
        return tuple(r for r, _ in found if isinstance(r, RouteRuleNode))

    def routes_for(
        self, client: ClientScope, host: str, port: int | None = None
    ) -> tuple[RouteRuleNode, ...]:
        """Route rules ``client`` evaluates for ``host``, in order (gateways: merged)."""
        vses = self.virtual_services_for(client, host, port)
        return tuple(rule for vs in vses for rule in self.rules_of(vs))

    def default_route(self, client: ClientScope, host: str) -> DestinationNode | None:
        """The destination of a host with no VirtualService (plain service routing)."""
        for vhost in self.virtual_hosts(client, host):
            for target, _ in self.out_edges(vhost, {EdgeKind.DEFAULT_ROUTE}):
                if isinstance(target, DestinationNode):
                    return target
        return None

    def destinations_of(
        self, rule: RouteRuleNode, *, mirrors: bool = False
    ) -> tuple[tuple[DestinationNode, Edge], ...]:
        """Weighted destinations (edge.percent: effective share, None when weight 0), or with
        ``mirrors`` the mirror destinations."""
        kind = EdgeKind.MIRRORS_TO if mirrors else EdgeKind.ROUTES_TO
        found = self.out_edges(rule, {kind})
        return tuple((d, e) for d, e in found if isinstance(d, DestinationNode))

    # ------------------------------------------------------------------ DestinationRules

    def _client_namespace(self, client: ClientScope) -> str:
        return self._sink.dr_namespace.get(client, client.name)

    def destination_rule_for(
        self, destination: DestinationNode, client: ClientScope
    ) -> tuple[DestinationRuleNode | None, SubsetNode | None]:
        """The DR entry (and subset, when defined there) ``client`` gets for ``destination``."""
        uses = [(t, e) for t, e in self.out_edges(destination, USE_KINDS) if e.clients]
        namespace = self._client_namespace(client)
        for wanted in (namespace, ANY_NAMESPACE):
            for target, edge in uses:
                if wanted in edge.clients:
                    return _split_use(target)
        return None, None

    def workloads_for(
        self, destination: DestinationNode, client: ClientScope
    ) -> tuple[WorkloadNode, ...]:
        """Workloads behind ``destination`` for ``client``: the host's service workloads,
        narrowed to the subset's labels of the DR the client gets (none if undefined)."""
        backends = self.out_edges(ServiceNode(destination.host), {EdgeKind.BACKED_BY})
        workloads = [w for w, _ in backends if isinstance(w, WorkloadNode)]
        if not destination.subset:
            return tuple(workloads)
        _, subset = self.destination_rule_for(destination, client)
        if subset is None:
            return ()
        selected = {w for w, _ in self.out_edges(subset, {EdgeKind.SELECTS_WORKLOAD})}
        return tuple(w for w in workloads if w in selected)

    def subset_node(self, rule: DestinationRule, subset: str) -> SubsetNode | None:
        """The subset node of a DestinationRule resource (its consolidated entry)."""
        entry = self._sink.dr_nodes.get(id(rule))
        node = SubsetNode(entry, subset) if entry is not None else None
        return node if node is not None and node in self._ids else None

    def subset_users(
        self, subset: SubsetNode, *, chosen_only: bool = False
    ) -> tuple[RouteRuleNode, ...]:
        """Route rules whose route or mirror names ``subset``'s host and name, for a caller that
        gets this DR (``chosen_only``) or merely sees it (a more specific DR may win)."""
        users: set[RouteRuleNode] = set()
        for destination, edge in self.in_edges(subset, {EdgeKind.USES_SUBSET}):
            if chosen_only and not edge.clients:
                continue
            for rule, _ in self.in_edges(destination, ROUTE_KINDS):
                if isinstance(rule, RouteRuleNode):
                    users.add(rule)
        return tuple(sorted(users))

    # ------------------------------------------------------------------ authorization

    @staticmethod
    def workload_node(workload: WorkloadInfo) -> WorkloadNode:
        return workload_node(workload)

    def mtls_for(
        self, workload: WorkloadNode, port: int | None = None
    ) -> tuple[PeerAuthenticationNode, Edge] | None:
        """The deciding PeerAuthentication and mode (edge.mode/level) for a workload port;
        an undeclared port falls back to the workload-wide decision."""
        found = self.out_edges(workload, {EdgeKind.MTLS})
        for wanted in (port, None):
            for target, edge in found:
                if edge.port == wanted and isinstance(target, PeerAuthenticationNode):
                    return target, edge
        return None

    def policies_for(self, workload: WorkloadNode) -> tuple[tuple[PolicyNode, str], ...]:
        """AuthorizationPolicies enforced on ``workload`` with their action."""
        found = self.out_edges(workload, {EdgeKind.AUTHORIZED_BY})
        return tuple((p, e.action or "ALLOW") for p, e in found if isinstance(p, PolicyNode))

    # ------------------------------------------------------------------ export

    def to_json(self) -> dict[str, Any]:
        """Nodes and edges, deterministic: ``{"nodes": [{id, type}], "edges": [...]}``."""
        nodes = sorted(self._nodes, key=_node_key)
        edges = [
            {"source": str(u), "target": str(v), **e.to_json()}
            for (u, v), es in self._sink.edges.items()
            for e in es
        ]
        edges.sort(key=lambda e: json.dumps(e, sort_keys=True))
        return {
            "nodes": [{"id": str(n), "type": type(n).__name__} for n in nodes],
            "edges": edges,
        }


def _to_networkx(count: int, edges: Iterable[tuple[int, int, dict[str, Any]]]) -> nx.DiGraph[int]:
    import networkx as nx  # ~230 ms: only runs that need the graph pay for it

    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from(edges)
    return graph


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The build allocates ~100k long-lived objects: without this, the cyclic collector
    rescans the whole mesh several times (DESIGN "Loading fast")."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _edges(data: Mapping[str, Any]) -> tuple[Edge, ...]:
    found: tuple[Edge, ...] = data["e"]
    return found


def _node_key(node: Node) -> tuple[str, str]:
    return (type(node).__name__, str(node))


def _split_use(target: Node) -> tuple[DestinationRuleNode | None, SubsetNode | None]:
    if isinstance(target, SubsetNode):
        return target.rule, target
    if isinstance(target, DestinationRuleNode):
        return target, None
    return None, None
