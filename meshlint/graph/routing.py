"""Routing edges: clients -> virtual hosts -> VirtualServices -> rules -> destinations -> DRs.

Every semantic decision comes from ``Mesh`` (which VS a client sees, gateway merge, which DR a
client gets); this module only lays the answers out as edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from meshlint.graph.nodes import (
    ANY_NAMESPACE,
    ClientScope,
    DestinationNode,
    DestinationRuleNode,
    Edge,
    EdgeKind,
    Node,
    RouteRuleNode,
    ServiceNode,
    SubsetNode,
    VirtualHostNode,
    VirtualServiceNode,
    WorkloadNode,
)
from meshlint.matching import MESH_GATEWAY, ExportTo, host_matches, is_wildcard, labels_subset
from meshlint.mesh import (
    BoundVirtualService,
    Mesh,
    ResolvedDestinationRule,
    ServiceInfo,
    WorkloadInfo,
)
from meshlint.mesh.traffic_queries import subset_selector
from meshlint.mesh.visibility import SidecarScope
from meshlint.model.base import Resource
from meshlint.model.networking import (
    Destination,
    DestinationRule,
    Gateway,
    HTTPRoute,
    TCPRoute,
    TLSRoute,
    VirtualService,
)
from meshlint.model.routes import SECTIONS

BACKED_BY = Edge(EdgeKind.BACKED_BY)
TO_SERVICE = Edge(EdgeKind.TO_SERVICE)
SELECTS_WORKLOAD = Edge(EdgeKind.SELECTS_WORKLOAD)


@dataclass
class Sink:
    """Edges and node payloads collected during one build (a MultiDiGraph is made from it)."""

    # (source, target) -> the edges between them (parallel edges: several kinds or ports)
    edges: dict[tuple[Node, Node], list[Edge]] = field(default_factory=dict)
    resources: dict[Node, Resource] = field(default_factory=dict)
    # clients whose view is complete (a namespace Sidecar): no fallback to "*"
    complete: set[ClientScope] = field(default_factory=set)
    # client -> the namespace whose DestinationRules it gets (gateways: their pods' namespace)
    dr_namespace: dict[ClientScope, str] = field(default_factory=dict)
    # DestinationRule resource id -> its consolidated entry node
    dr_nodes: dict[int, DestinationRuleNode] = field(default_factory=dict)
    workload_nodes: dict[int, WorkloadNode] = field(default_factory=dict)

    def add(self, source: Node, target: Node, edge: Edge) -> None:
        found = self.edges.setdefault((source, target), [])
        if edge not in found:
            found.append(edge)


@dataclass
class _Audience:
    """Who may take a route to a destination: public, and/or named client namespaces."""

    public: bool = False
    namespaces: set[str] = field(default_factory=set)

    def add(self, export: ExportTo) -> None:
        self.public = self.public or export.public
        self.namespaces.update(export.namespaces)

    def overlaps(self, export: ExportTo) -> bool:
        if self.public:
            return export.public or bool(export.namespaces)
        return any(export.visible_to(ns) for ns in self.namespaces)


def effective_percents(weights: Sequence[int | None]) -> list[float | None]:
    """Share of traffic per route entry (ISTIO-SEMANTICS 1.5): one destination gets 100%;
    otherwise weight-0 entries are dropped and the rest are relative; total 0 routes nothing."""
    if len(weights) == 1:
        return [100.0]
    total = sum(w or 0 for w in weights if (w or 0) > 0)
    if total <= 0:
        return [None] * len(weights)
    return [100.0 * w / total if w and w > 0 else None for w in weights]


class RoutingBuilder:
    """Lays out the routing side of the graph into a ``Sink``."""

    def __init__(self, mesh: Mesh, sink: Sink) -> None:
        self.mesh = mesh
        self.sink = sink
        self.audience: dict[DestinationNode, _Audience] = {}
        self.vs_nodes: dict[int, VirtualServiceNode] = {}
        self._claims: dict[str, int] = {}  # VS host -> how many VSes name it
        self._wildcard_vs = False

    def build(self) -> None:
        bound = [self.mesh.bound(vs) for vs in self.mesh.all(VirtualService)]
        for item in bound:
            self.vs_nodes[id(item.resource)] = self._vs_node(item)
        for item in bound:
            self._add_virtual_service(item)
        universe = _host_universe(self.mesh, bound)
        for item in bound:
            for host in item.hosts:
                self._claims[host] = self._claims.get(host, 0) + 1
                self._wildcard_vs = self._wildcard_vs or is_wildcard(host)
        self._add_sidecar_clients(bound, universe)
        for gateway in self.mesh.all(Gateway):
            self._add_gateway(gateway)
        DestinationRuleLayer(self.mesh, self.sink).build(self.audience)

    # ------------------------------------------------------------------ VirtualServices

    def _vs_node(self, bound: BoundVirtualService) -> VirtualServiceNode:
        node = VirtualServiceNode(bound.namespace, bound.resource.name)
        self.sink.resources[node] = bound.resource
        return node

    def _add_virtual_service(self, bound: BoundVirtualService) -> None:
        node = self.vs_nodes[id(bound.resource)]
        audience = self._callers(bound)
        order = 0
        for section in SECTIONS:
            for index, rule in enumerate(getattr(bound.resource.spec, section)):
                rule_node = RouteRuleNode(node, section, index)
                self.sink.add(node, rule_node, Edge(EdgeKind.HAS_RULE, order=order))
                order += 1
                self._add_rule(bound, rule_node, rule, audience)

    def _callers(self, bound: BoundVirtualService) -> ExportTo:
        """Namespaces whose proxies may take the VS's routes: its exportTo when bound to
        ``mesh``, plus the pods' namespaces of the Gateways it binds to."""
        export = self.mesh.export_to(bound.resource)
        if MESH_GATEWAY not in bound.gateways:
            export = ExportTo(export.owner)
        extra: set[str] = set()
        for ref in bound.gateways - {MESH_GATEWAY}:
            gateway = self.mesh.gateway(ref)
            if gateway is not None:
                extra.update(self.mesh.gateway_proxy_namespaces(gateway))
        return ExportTo(export.owner, export.public, export.namespaces | extra)

    def _add_rule(
        self,
        bound: BoundVirtualService,
        node: RouteRuleNode,
        rule: HTTPRoute | TCPRoute | TLSRoute,
        audience: ExportTo,
    ) -> None:
        entries = [e for e in rule.route if e.destination is not None]
        percents = effective_percents([e.weight for e in entries])
        for order, (entry, percent) in enumerate(zip(entries, percents, strict=True)):
            assert entry.destination is not None
            target = self.destination(entry.destination, bound.namespace, audience)
            edge = Edge(EdgeKind.ROUTES_TO, order=order, weight=entry.weight, percent=percent)
            if percent is None:
                edge = Edge(EdgeKind.ROUTES_TO, order=order, weight=entry.weight, reason="weight 0")
            self.sink.add(node, target, edge)
        if isinstance(rule, HTTPRoute):
            self._add_mirrors(bound, node, rule, audience)
            self._add_delegate(bound, node, rule)

    def _add_mirrors(
        self, bound: BoundVirtualService, node: RouteRuleNode, rule: HTTPRoute, audience: ExportTo
    ) -> None:
        mirrors: list[tuple[Destination, float]] = []
        if rule.mirror is not None:
            share = rule.mirror_percentage.value if rule.mirror_percentage else 100.0
            mirrors.append((rule.mirror, share))
        for policy in rule.mirrors:
            if policy.destination is not None:
                share = policy.percentage.value if policy.percentage else 100.0
                mirrors.append((policy.destination, share))
        for order, (destination, share) in enumerate(mirrors):
            target = self.destination(destination, bound.namespace, audience)
            self.sink.add(node, target, Edge(EdgeKind.MIRRORS_TO, order=order, percent=share))

    def _add_delegate(
        self, bound: BoundVirtualService, node: RouteRuleNode, rule: HTTPRoute
    ) -> None:
        if rule.delegate is None:
            return
        target = self.mesh.delegate_target(bound.resource, rule.delegate)
        if target is not None:
            self.sink.add(node, self.vs_nodes[id(target)], Edge(EdgeKind.DELEGATES_TO))

    def destination(
        self, destination: Destination, namespace: str, audience: ExportTo
    ) -> DestinationNode:
        port = destination.port.number if destination.port is not None else None
        host = self.mesh.fqdn(destination.host, namespace).lower()
        node = DestinationNode(host, destination.subset or None, port)
        self.audience.setdefault(node, _Audience()).add(audience)
        return node

    # ------------------------------------------------------------------ sidecar clients

    def _add_sidecar_clients(
        self, bound: Sequence[BoundVirtualService], universe: list[str]
    ) -> None:
        default = ClientScope.sidecar(ANY_NAMESPACE)
        self.sink.dr_namespace[default] = ANY_NAMESPACE
        for host in universe:
            self._add_sidecar_vhost(default, host)
        for namespace, hosts in sorted(_overrides(self.mesh, bound, universe).items()):
            client = ClientScope.sidecar(namespace)
            self.sink.dr_namespace[client] = namespace
            if self.mesh.sidecar_scope_for_namespace(namespace).sidecar is not None:
                self.sink.complete.add(client)
            view = universe if client in self.sink.complete else sorted(hosts)
            for host in view:
                self._add_sidecar_vhost(client, host)

    def _chosen(
        self, namespace: str, host: str, scope: SidecarScope | None
    ) -> BoundVirtualService | None:
        """``Mesh.virtual_service_for_host``; with a Sidecar scope, the scoped call (which
        rescans every VS) only when the unscoped winner is not imported and another VS could
        claim the host (scoped candidates are a subset, so an imported winner still wins)."""
        chosen = self.mesh.virtual_service_for_host(namespace, host)
        if scope is None or chosen is None:
            return chosen
        if any(scope.imports_virtual_service_host(h, chosen.namespace) for h in chosen.hosts):
            return chosen
        if self._claims.get(host, 0) <= 1 and not self._wildcard_vs:
            return None
        return self.mesh.virtual_service_for_host(namespace, host, scope=scope)

    def _add_sidecar_vhost(self, client: ClientScope, host: str) -> None:
        """The one VS a sidecar uses for ``host`` (first wins), else the default route."""
        namespace = client.name
        scope = None
        if client in self.sink.complete:
            scope = self.mesh.sidecar_scope_for_namespace(namespace)
        chosen = self._chosen(namespace, host, scope)
        vhost = VirtualHostNode(client, host)
        if chosen is not None:
            self.sink.add(client, vhost, Edge(EdgeKind.HAS_HOST))
            vs_node = self.vs_nodes[id(chosen.resource)]
            self.sink.add(vhost, vs_node, Edge(EdgeKind.SELECTS_VS, order=0))
            return
        services = [
            s
            for s in self.mesh.services_for_host(host, namespace)
            if scope is None or scope.imports(host, s.namespace)
        ]
        if services and not is_wildcard(host):
            self.sink.add(client, vhost, Edge(EdgeKind.HAS_HOST))
            target = DestinationNode(host)
            self.audience.setdefault(target, _Audience()).add(_client_export(namespace))
            self.sink.add(vhost, target, Edge(EdgeKind.DEFAULT_ROUTE, percent=100.0))

    # ------------------------------------------------------------------ gateways

    def _add_gateway(self, gateway: Gateway) -> None:
        namespace = self.mesh.namespace_of(gateway)
        client = ClientScope.gateway(f"{namespace}/{gateway.name}")
        self.sink.resources[client] = gateway
        self.sink.dr_namespace[client] = self.mesh.gateway_proxy_namespaces(gateway)[0]
        merged: dict[VirtualHostNode, list[VirtualServiceNode]] = {}
        for server in gateway.spec.servers:
            port = server.port.number if server.port is not None else None
            for domain, items in self.mesh.gateway_virtual_hosts(gateway, server).items():
                found = merged.setdefault(VirtualHostNode(client, domain, port), [])
                for item in items:
                    vs_node = self.vs_nodes[id(item.resource)]
                    if vs_node not in found:
                        found.append(vs_node)
        for vhost, nodes in merged.items():
            self.sink.add(client, vhost, Edge(EdgeKind.HAS_HOST))
            for order, vs_node in enumerate(nodes):
                self.sink.add(vhost, vs_node, Edge(EdgeKind.SELECTS_VS, order=order))


def _client_export(namespace: str) -> ExportTo:
    if namespace == ANY_NAMESPACE:
        return ExportTo(namespace, public=True)
    return ExportTo(namespace, namespaces=frozenset({namespace}))


def _host_universe(mesh: Mesh, bound: Iterable[BoundVirtualService]) -> list[str]:
    """Every host a sidecar may have a route table for: VS hosts and service hosts."""
    hosts = dict.fromkeys(h for item in bound for h in item.hosts)
    hosts.update(dict.fromkeys(info.fqdn for info in mesh.services()))
    return sorted(hosts)


def _overrides(
    mesh: Mesh, bound: Iterable[BoundVirtualService], universe: list[str]
) -> dict[str, set[str]]:
    """Client namespace -> hosts whose route table may differ from the public one: hosts of
    VSes and Services exported to it by name, and every host for namespaces with a Sidecar."""
    found: dict[str, set[str]] = {}
    for item in bound:
        export = mesh.export_to(item.resource)
        if MESH_GATEWAY in item.gateways and not export.public:
            for namespace in export.namespaces:
                found.setdefault(namespace, set()).update(_covered(item.hosts, universe))
    for info in mesh.services():
        if not info.export_to.public:
            for namespace in info.export_to.namespaces:
                found.setdefault(namespace, set()).add(info.fqdn)
    for namespace in mesh.namespaces_present:
        if mesh.sidecar_scope_for_namespace(namespace).sidecar is not None:
            found.setdefault(namespace, set())
    return found


def _covered(hosts: Iterable[str], universe: list[str]) -> Iterator[str]:
    for host in hosts:
        yield host
        if is_wildcard(host):
            yield from (h for h in universe if host_matches(h, host))


class DestinationRuleLayer:
    """Destination -> the DR entry (and subset) each client gets; subset -> workloads."""

    def __init__(self, mesh: Mesh, sink: Sink) -> None:
        self.mesh = mesh
        self.sink = sink
        self.exact: dict[str, list[tuple[DestinationRuleNode, ResolvedDestinationRule]]] = {}
        self.wildcard: list[tuple[DestinationRuleNode, ResolvedDestinationRule]] = []
        self.overrides: dict[str, set[str]] = {}  # host -> namespaces with their own DR view
        self.wild_overrides: list[tuple[str, str]] = []  # (wildcard host, namespace)
        self.entry_nodes: dict[int, DestinationRuleNode] = {}
        self._backends_of: dict[str, tuple[tuple[WorkloadNode, Mapping[str, str]], ...]] = {}
        self._selected: set[tuple[SubsetNode, str]] = set()  # (subset, host) already linked
        self._looked_up: dict[tuple[str, str], ResolvedDestinationRule | None] = {}
        self._services_of: dict[str, tuple[ServiceInfo, ...]] = {}
        # ``Mesh.workloads_for_service`` inverted through the indexed ``services_for_workload``
        self._service_workloads: dict[int, list[WorkloadInfo]] = {}
        for workload in mesh.workloads():
            for info in mesh.services_for_workload(workload):
                self._service_workloads.setdefault(id(info), []).append(workload)
        self._index_entries()

    def _index_entries(self) -> None:
        for (namespace, host), entries in sorted(self.mesh.destination_rule_groups().items()):
            for index, entry in enumerate(entries):
                node = DestinationRuleNode(namespace, host, index, entry.rule.name)
                self.entry_nodes[id(entry)] = node
                self.sink.resources[node] = entry.rule
                for rule in entry.rules:
                    self.sink.dr_nodes[id(rule)] = node
                for subset in entry.subsets:
                    self.sink.add(node, SubsetNode(node, subset.name), Edge(EdgeKind.HAS_SUBSET))
                target = self.wildcard if is_wildcard(host) else self.exact.setdefault(host, [])
                target.append((node, entry))
                self._index_views(namespace, host, entry)

    def _index_views(self, namespace: str, host: str, entry: ResolvedDestinationRule) -> None:
        viewers = {namespace, self.mesh.settings.root_namespace, *entry.export_to.namespaces}
        for viewer in viewers:
            if is_wildcard(host):
                self.wild_overrides.append((host, viewer))
            else:
                self.overrides.setdefault(host, set()).add(viewer)

    def build(self, audience: dict[DestinationNode, _Audience]) -> None:
        for destination, who in audience.items():  # input order: deterministic
            self._bind(destination, who)

    def _clients(self, host: str, who: _Audience) -> set[str]:
        clients = set(who.namespaces)
        if who.public:
            clients.add(ANY_NAMESPACE)
            clients.update(self.overrides.get(host, ()))
            clients.update(ns for wild, ns in self.wild_overrides if host_matches(host, wild))
        return clients

    def _bind(self, destination: DestinationNode, who: _Audience) -> None:
        host = destination.host
        services = self._services(host)
        service_ns = services[0].namespace if services else self.mesh.host_namespace(host)
        chosen: dict[int, set[str]] = {}
        entries: dict[int, ResolvedDestinationRule] = {}
        for client in self._clients(host, who):
            entry = self._lookup(client, host, service_ns)
            if entry is not None:
                chosen.setdefault(id(entry), set()).add(client)
                entries[id(entry)] = entry
        for key, clients in chosen.items():
            self._uses(destination, entries[key], frozenset(clients))
        if destination.subset:
            self._visible_subsets(destination, who, set(chosen))
        self._backends(destination)

    def _services(self, host: str) -> tuple[ServiceInfo, ...]:
        found = self._services_of.get(host)
        if found is None:
            found = self._services_of[host] = self.mesh.services_for_host(host)
        return found

    def _lookup(
        self, client: str, host: str, service_ns: str | None
    ) -> ResolvedDestinationRule | None:
        key = (client, host)
        if key not in self._looked_up:
            found = self.mesh.destination_rule_for(client, host, service_namespace=service_ns)
            self._looked_up[key] = found
        return self._looked_up[key]

    def _uses(
        self, destination: DestinationNode, entry: ResolvedDestinationRule, clients: frozenset[str]
    ) -> None:
        node = self.entry_nodes[id(entry)]
        subset = entry.subset(destination.subset) if destination.subset else None
        if subset is None:
            reason = "subset not defined" if destination.subset else ""
            self.sink.add(
                destination, node, Edge(EdgeKind.USES_RULE, clients=clients, reason=reason)
            )
            return
        target = SubsetNode(node, subset.name)
        self.sink.add(destination, target, Edge(EdgeKind.USES_SUBSET, clients=clients))
        if (target, destination.host) not in self._selected:
            self._selected.add((target, destination.host))
            self._subset_workloads(destination, target, subset_selector(subset))

    def _visible_subsets(
        self, destination: DestinationNode, who: _Audience, chosen: set[int]
    ) -> None:
        """Subsets of the same name in DRs that cover the host and that some caller can see,
        though no caller gets them (a more specific DR wins): an edge with no clients."""
        host = destination.host
        candidates = [*self.exact.get(host, ()), *self.wildcard]
        for node, entry in candidates:
            if id(entry) in chosen or not host_matches(host, entry.host):
                continue
            subset = entry.subset(destination.subset or "")
            if subset is not None and who.overlaps(entry.export_to):
                target = SubsetNode(node, subset.name)
                edge = Edge(EdgeKind.USES_SUBSET, reason="visible, another DR is chosen")
                self.sink.add(destination, target, edge)

    def backends(self, host: str) -> tuple[tuple[WorkloadNode, Mapping[str, str]], ...]:
        """(node, labels) of the workloads behind every registry service for ``host``."""
        found = self._backends_of.get(host)
        if found is None:
            found = tuple(
                (self.sink.workload_nodes[id(w.resource)], w.labels)
                for info in self._services(host)
                for w in self._service_workloads.get(id(info), ())
            )
            self._backends_of[host] = found
            service = ServiceNode(host)
            for node, _ in found:
                self.sink.add(service, node, BACKED_BY)
        return found

    def _backends(self, destination: DestinationNode) -> None:
        if self.backends(destination.host) or self._services(destination.host):
            self.sink.add(destination, ServiceNode(destination.host), TO_SERVICE)

    def _subset_workloads(
        self, destination: DestinationNode, subset: SubsetNode, labels: dict[str, str]
    ) -> None:
        for node, workload_labels in self.backends(destination.host):
            if labels_subset(labels, workload_labels):
                self.sink.add(subset, node, SELECTS_WORKLOAD)


def dr_node_for(sink: Sink, rule: DestinationRule) -> DestinationRuleNode | None:
    return sink.dr_nodes.get(id(rule))
