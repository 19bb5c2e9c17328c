"""A plain, JSON-safe view of the MeshGraph for drawing: few node kinds, labelled edges."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from meshlint.graph.core import MeshGraph
from meshlint.graph.nodes import (
    ClientScope,
    DestinationNode,
    Edge,
    EdgeKind,
    RouteRuleNode,
    VirtualServiceNode,
)
from meshlint.matching import labels_subset
from meshlint.mesh import Mesh, ResolvedDestinationRule, WorkloadInfo
from meshlint.mesh.traffic_queries import subset_selector
from meshlint.model.base import Resource
from meshlint.model.networking import (
    DestinationRule,
    Gateway,
    HTTPMatchRequest,
    HTTPRoute,
    StringMatch,
    Subset,
    VirtualService,
)
from meshlint.model.security import AuthorizationPolicy, Source

VIEW_VERSION = 1
SUMMARY_WIDTH = 34
DENIES_ALL = "no rules: denies all"


class NodeKind(enum.StrEnum):
    GATEWAY = "gateway"  # an Istio Gateway: traffic entering the mesh
    MESH = "mesh"  # the sidecars (VirtualServices bound to ``mesh``)
    SOURCE = "source"  # an AuthorizationPolicy source: principals, namespaces or any
    VIRTUAL_SERVICE = "virtualservice"
    ROUTE = "route"  # one http/tcp/tls rule of a VirtualService
    SERVICE = "service"  # a registry host (Service / ServiceEntry), or a missing one
    SUBSET = "subset"  # a DestinationRule subset of a host
    WORKLOAD = "workload"
    POLICY = "policy"  # an AuthorizationPolicy


class ViewEdgeKind(enum.StrEnum):
    BINDS = "binds"  # gateway / mesh -> VirtualService (label: hosts)
    RULE = "rule"  # VirtualService -> its route rule
    ROUTES = "routes"  # rule -> service or subset (label: effective percentage)
    MIRRORS = "mirrors"  # rule -> mirror destination
    DELEGATES = "delegates"  # rule -> delegate VirtualService
    SUBSET = "subset"  # service -> its subset
    SELECTS = "selects"  # subset -> workload carrying its labels
    BACKS = "backs"  # service -> workload behind it (not reached through a subset)
    APPLIES = "applies"  # policy -> workload it is enforced on
    ALLOW = "allow"  # source -> workload (label: policy)
    DENY = "deny"
    AUDIT = "audit"
    CUSTOM = "custom"


# Drawing columns, left to right (policies on the side).
COLUMNS: dict[NodeKind, int] = {
    NodeKind.GATEWAY: 0,
    NodeKind.MESH: 0,
    NodeKind.SOURCE: 0,
    NodeKind.VIRTUAL_SERVICE: 1,
    NodeKind.ROUTE: 2,
    NodeKind.SERVICE: 3,
    NodeKind.SUBSET: 4,
    NodeKind.WORKLOAD: 5,
    NodeKind.POLICY: 6,
}


@dataclass(frozen=True, slots=True)
class ViewNode:
    """One box of the drawing. ``namespace`` is "" for mesh-wide nodes."""

    id: str
    kind: NodeKind
    label: str
    namespace: str
    sublabel: str = ""
    file: str | None = None
    line: int | None = None
    detail: tuple[str, ...] = ()
    missing: bool = False  # referenced but not defined in the input
    mtls: str | None = None  # workloads: the effective PeerAuthentication mode
    action: str | None = None  # policies: ALLOW / DENY / AUDIT / CUSTOM

    @property
    def column(self) -> int:
        return COLUMNS[self.kind]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "kind": self.kind.value,
            "label": self.label,
            "namespace": self.namespace,
        }
        optional = {"sublabel": self.sublabel, "file": self.file, "line": self.line}
        optional |= {"mtls": self.mtls, "action": self.action}
        data |= {key: value for key, value in optional.items() if value}
        if self.detail:
            data["detail"] = list(self.detail)
        if self.missing:
            data["missing"] = True
        return data


@dataclass(frozen=True, slots=True)
class ViewEdge:
    source: str
    target: str
    kind: ViewEdgeKind
    label: str = ""
    percent: float | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "source": self.source,
            "target": self.target,
            "kind": self.kind.value,
        }
        if self.label:
            data["label"] = self.label
        if self.percent is not None:
            data["percent"] = round(self.percent, 2)
        return data


@dataclass(frozen=True, slots=True)
class GraphView:
    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]

    @property
    def namespaces(self) -> tuple[str, ...]:
        """Namespaces in drawing order: "" (mesh-wide) first, then by name."""
        return tuple(sorted({node.namespace for node in self.nodes}))

    def node(self, node_id: str) -> ViewNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def to_json(self) -> dict[str, object]:
        return {
            "version": VIEW_VERSION,
            "namespaces": list(self.namespaces),
            "nodes": [node.to_json() for node in self.nodes],
            "edges": [edge.to_json() for edge in self.edges],
        }


def build_view(graph: MeshGraph, mesh: Mesh, *, namespaces: Iterable[str] = ()) -> GraphView:
    """The drawing view of ``graph``; with ``namespaces``, only nodes in those namespaces and
    the nodes they link to directly."""
    builder = _ViewBuilder(graph, mesh)
    builder.build()
    view = GraphView(tuple(builder.nodes.values()), tuple(builder.edges.values()))
    wanted = frozenset(namespaces)
    return _focus(view, wanted) if wanted else _sorted(view)


def format_percent(percent: float) -> str:
    """``80%``, ``77.8%``: one decimal unless the share is whole."""
    rounded = round(percent, 1)
    return f"{rounded:.0f}%" if rounded == int(rounded) else f"{rounded:.1f}%"


def _sorted(view: GraphView) -> GraphView:
    nodes = sorted(view.nodes, key=lambda n: (n.namespace, n.column, n.id))
    edges = sorted(view.edges, key=lambda e: (e.source, e.target, e.kind.value, e.label))
    return GraphView(tuple(nodes), tuple(edges))


def _focus(view: GraphView, wanted: frozenset[str]) -> GraphView:
    core = {n.id for n in view.nodes if n.namespace in wanted}
    edges = tuple(e for e in view.edges if e.source in core or e.target in core)
    keep = core | {e.source for e in edges} | {e.target for e in edges}
    return _sorted(GraphView(tuple(n for n in view.nodes if n.id in keep), edges))


def _position(resource: Resource | None, pointer: str = "") -> tuple[str | None, int | None]:
    """File and line of ``pointer`` in ``resource``; the document start needs no parse."""
    origin = resource.origin if resource is not None else None
    if origin is None:
        return None, None
    span = origin.source.span(pointer) if pointer else origin.source.origin
    return origin.path, span.line


@dataclass
class _ViewBuilder:
    graph: MeshGraph
    mesh: Mesh
    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: dict[tuple[str, str, str, str], ViewEdge] = field(default_factory=dict)
    _binds: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    enforced: dict[str, list[str]] = field(default_factory=dict)  # policy id -> workload ids

    def build(self) -> None:
        self._services()
        self._subsets()
        self._workloads()
        for vs in self.mesh.all(VirtualService):
            self._virtual_service(vs)
        for client in self.graph.clients():
            self._client(client)
        for (source, target), hosts in self._binds.items():
            self._edge(source, target, ViewEdgeKind.BINDS, ", ".join(sorted(set(hosts))))
        self._backs()
        self._enforcement()
        for policy in self.mesh.all(AuthorizationPolicy):
            _AuthzLayout(self, policy).build()

    def _enforcement(self) -> None:
        """Which workloads each AuthorizationPolicy is enforced on (one pass over workloads)."""
        for workload in self.mesh.workloads():
            for node, _ in self.graph.policies_for(self.graph.workload_node(workload)):
                key = f"policy:{node.namespace}/{node.name}"
                self.enforced.setdefault(key, []).append(_workload_id(workload))

    def _node(self, node: ViewNode) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def _edge(
        self, source: str, target: str, kind: ViewEdgeKind, label: str = "", **extra: float | None
    ) -> None:
        edge = ViewEdge(source, target, kind, label, extra.get("percent"))
        self.edges.setdefault((source, target, kind.value, label), edge)

    # ------------------------------------------------------------------ registry

    def _services(self) -> None:
        for info in self.mesh.services():
            file, line = _position(info.resource)
            ports = ", ".join(f"{p.number}/{p.protocol}" for p in info.ports)
            sublabel = f"{info.kind.kind_name} · {ports}" if ports else info.kind.kind_name
            label = _short_host(info.fqdn, info.namespace)
            node = ViewNode(
                _service_id(info.fqdn),
                NodeKind.SERVICE,
                label,
                info.namespace,
                sublabel,
                file,
                line,
                detail=(info.fqdn,),
            )
            self._node(node)

    def _subsets(self) -> None:
        for (namespace, host), entries in sorted(self.mesh.destination_rule_groups().items()):
            for entry in entries:
                for subset in entry.subsets:
                    self._subset(namespace, host, entry, subset)

    def _subset(
        self, namespace: str, host: str, entry: ResolvedDestinationRule, subset: Subset
    ) -> None:
        rule, pointer = _subset_origin(entry, subset)
        file, line = _position(rule, pointer)
        labels = subset_selector(subset)
        text = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        node_id = _subset_id(host, subset.name)
        label = f"{_short_host(host, namespace)} {subset.name}"
        detail = (f"DestinationRule {namespace}/{rule.name}", host)
        node = ViewNode(node_id, NodeKind.SUBSET, label, namespace, text, file, line, detail)
        self._node(node)
        self._edge(self._service_for(host), node_id, ViewEdgeKind.SUBSET)
        for workload in self._backends(host):
            if labels_subset(labels, workload.labels):
                self._edge(node_id, _workload_id(workload), ViewEdgeKind.SELECTS)

    def _backends(self, host: str) -> list[WorkloadInfo]:
        found: dict[int, WorkloadInfo] = {}
        for info in self.mesh.services_for_host(host):
            for workload in self.mesh.workloads_for_service(info):
                found.setdefault(id(workload.resource), workload)
        return list(found.values())

    def _backs(self) -> None:
        """service -> workload, for workloads no subset of a service with subsets selects."""
        selected = {e.target for e in self.edges.values() if e.kind is ViewEdgeKind.SELECTS}
        split = {e.source for e in self.edges.values() if e.kind is ViewEdgeKind.SUBSET}
        for info in self.mesh.services():
            for workload in self.mesh.workloads_for_service(info):
                target = _workload_id(workload)
                if target not in selected or _service_id(info.fqdn) not in split:
                    self._edge(_service_id(info.fqdn), target, ViewEdgeKind.BACKS)

    def _service_for(self, host: str) -> str:
        node_id = _service_id(host)
        if node_id not in self.nodes:
            namespace = self.mesh.host_namespace(host) or ""
            label = _short_host(host, namespace)
            detail = (host, "no Service or ServiceEntry defines this host")
            self._node(
                ViewNode(
                    node_id,
                    NodeKind.SERVICE,
                    label,
                    namespace,
                    "not defined",
                    detail=detail,
                    missing=True,
                )
            )
        return node_id

    def _workloads(self) -> None:
        for workload in self.mesh.workloads():
            file, line = _position(workload.resource)
            decision = self.graph.mtls_for(self.graph.workload_node(workload))
            mode = decision[1].mode if decision is not None else None
            sublabel = workload.kind.kind_name + (f" · mTLS {mode}" if mode else "")
            detail = [f"serviceAccount {workload.service_account}"]
            if decision is not None and decision[0].name:
                policy = decision[0]
                detail.append(f"mTLS from PeerAuthentication {policy.namespace}/{policy.name}")
            node = ViewNode(
                _workload_id(workload),
                NodeKind.WORKLOAD,
                workload.name,
                workload.namespace,
                sublabel,
                file,
                line,
                tuple(detail),
                mtls=mode,
            )
            self._node(node)

    # ------------------------------------------------------------------ routing

    def _client(self, client: ClientScope) -> None:
        source = self._client_node(client)
        for vhost, _ in self.graph.out_edges(client, {EdgeKind.HAS_HOST}):
            for vs, _ in self.graph.out_edges(vhost, {EdgeKind.SELECTS_VS}):
                if isinstance(vs, VirtualServiceNode):
                    host = _short_host(getattr(vhost, "host", ""), vs.namespace)
                    port = getattr(vhost, "port", None)
                    text = f"{host}:{port}" if port is not None else host
                    self._binds.setdefault((source, _vs_id(vs)), []).append(text)

    def _client_node(self, client: ClientScope) -> str:
        if not client.is_gateway:
            node = ViewNode(
                "mesh",
                NodeKind.MESH,
                "mesh",
                "",
                "every sidecar",
                detail=("VirtualServices bound to the reserved gateway mesh",),
            )
            return self._node(node)
        resource = self.graph.resource(client)
        if not isinstance(resource, Gateway):
            return self._node(ViewNode(f"gateway:{client.name}", NodeKind.GATEWAY, client.name, ""))
        namespace, _, name = client.name.partition("/")
        file, line = _position(resource)
        servers = resource.spec.servers
        ports = sorted({f"{s.port.number}/{s.port.protocol}" for s in servers if s.port})
        pods = [f"{w.namespace}/{w.name}" for w in self.mesh.gateway_workloads(resource)]
        detail = (f"runs on {', '.join(pods)}" if pods else "no gateway workload in the input",)
        sublabel = "Gateway · " + ", ".join(ports)
        node = ViewNode(
            f"gateway:{client.name}",
            NodeKind.GATEWAY,
            name,
            namespace,
            sublabel,
            file,
            line,
            detail,
        )
        return self._node(node)

    def _virtual_service(self, vs: VirtualService) -> None:
        key = VirtualServiceNode(self.mesh.namespace_of(vs), vs.name)
        file, line = _position(vs)
        hosts = list(vs.spec.hosts)
        sublabel = (
            hosts[0] + (f" +{len(hosts) - 1}" if len(hosts) > 1 else "") if hosts else "delegate"
        )
        vs_id = self._node(
            ViewNode(
                _vs_id(key),
                NodeKind.VIRTUAL_SERVICE,
                vs.name,
                key.namespace,
                sublabel,
                file,
                line,
                tuple(hosts),
            )
        )
        rules = self.graph.rules_of(key)
        collapse = len(rules) == 1 and _plain(_rule_of(vs, rules[0]))
        for rule in rules:
            rule_id = vs_id if collapse else self._rule_node(vs, rule)
            if rule_id != vs_id:
                self._edge(vs_id, rule_id, ViewEdgeKind.RULE)
            self._rule_edges(rule, rule_id)

    def _rule_node(self, vs: VirtualService, rule: RouteRuleNode) -> str:
        model = _rule_of(vs, rule)
        name = getattr(model, "name", None) or f"{rule.section}[{rule.index}]"
        file, line = _position(vs, rule.pointer)
        summary = _rule_summary(model, rule.section)
        node = ViewNode(
            f"route:{rule.vs.namespace}/{rule.vs.name}{rule.pointer}",
            NodeKind.ROUTE,
            name,
            rule.vs.namespace,
            summary,
            file,
            line,
            (f"{vs.name}{rule.pointer}",),
        )
        return self._node(node)

    def _rule_edges(self, rule: RouteRuleNode, rule_id: str) -> None:
        shares: dict[str, list[tuple[float, str]]] = {}
        for destination, edge in self.graph.destinations_of(rule):
            text = _route_label(destination, edge) + self._unreached(destination)
            shares.setdefault(self._destination(destination), []).append(
                (edge.percent or 0.0, text)
            )
        for node_id, found in shares.items():
            total = sum(percent for percent, _ in found)
            label = " + ".join(text for _, text in found)
            if len(found) > 1:
                label = f"{format_percent(total)} ({label})"
            self._edge(rule_id, node_id, ViewEdgeKind.ROUTES, label, percent=total)
        for destination, edge in self.graph.destinations_of(rule, mirrors=True):
            label = "mirror " + format_percent(edge.percent or 0.0)
            self._edge(rule_id, self._destination(destination), ViewEdgeKind.MIRRORS, label)
        for target, _ in self.graph.out_edges(rule, {EdgeKind.DELEGATES_TO}):
            if isinstance(target, VirtualServiceNode):
                self._edge(rule_id, _vs_id(target), ViewEdgeKind.DELEGATES, "delegate")

    def _unreached(self, destination: DestinationNode) -> str:
        """A note when a subset is defined somewhere, but no caller of the route gets the
        DestinationRule that defines it (the graph's per-client DR choice)."""
        if not destination.subset:
            return ""
        uses = self.graph.out_edges(destination, {EdgeKind.USES_SUBSET})
        defined = _subset_id(destination.host, destination.subset) in self.nodes
        return "" if any(e.clients for _, e in uses) or not defined else " (no caller gets it)"

    def _destination(self, destination: DestinationNode) -> str:
        service = self._service_for(destination.host)
        if not destination.subset:
            return service
        node_id = _subset_id(destination.host, destination.subset)
        if node_id not in self.nodes:
            namespace = self.nodes[service].namespace
            label = f"{_short_host(destination.host, namespace)} {destination.subset}"
            detail = (f"no DestinationRule defines subset {destination.subset}",)
            self._node(
                ViewNode(
                    node_id,
                    NodeKind.SUBSET,
                    label,
                    namespace,
                    "not defined",
                    detail=detail,
                    missing=True,
                )
            )
            self._edge(service, node_id, ViewEdgeKind.SUBSET)
        return node_id


@dataclass
class _AuthzLayout:
    """An AuthorizationPolicy: its node, ``applies`` edges, and source -> workload edges."""

    builder: _ViewBuilder
    policy: AuthorizationPolicy

    def build(self) -> None:
        action = self.policy.spec.effective_action
        policy_id = self._policy_node(action)
        targets = self.builder.enforced.get(policy_id, [])
        for target in targets:
            self.builder._edge(policy_id, target, ViewEdgeKind.APPLIES)
        kind = ViewEdgeKind(action.lower())
        for rule in self.policy.spec.rules or ():
            operations = _operations_summary(rule.to or ())
            label = self.policy.name + (f" · {operations}" if operations else "")
            for source in _sources(rule.from_ or ()):
                source_id = self._source_node(source)
                for target in targets:
                    self.builder._edge(source_id, target, kind, label)

    @property
    def _namespace(self) -> str:
        return self.builder.mesh.namespace_of(self.policy)

    def _policy_node(self, action: str) -> str:
        file, line = _position(self.policy)
        rules = self.policy.spec.rules or ()
        count = len(rules)
        sublabel = f"{action} · {count} rule" + ("" if count == 1 else "s")
        detail: tuple[str, ...] = ()
        if not rules and action == "ALLOW":
            detail = ("an ALLOW policy without rules allows nothing",)
            sublabel = f"{action} · {DENIES_ALL}"
        node = ViewNode(
            f"policy:{self._namespace}/{self.policy.name}",
            NodeKind.POLICY,
            self.policy.name,
            self._namespace,
            sublabel,
            file,
            line,
            detail,
            action=action,
        )
        return self.builder._node(node)

    def _source_node(self, source: Source | None) -> str:
        terms = _source_terms(source)
        if not terms:
            return self.builder._node(
                ViewNode("source:any", NodeKind.SOURCE, "any source", "", "every caller")
            )
        label, namespace, sublabel = _source_label(source, terms)
        node_id = "source:" + "; ".join(terms)
        return self.builder._node(
            ViewNode(node_id, NodeKind.SOURCE, label, namespace, sublabel, detail=tuple(terms))
        )


# ---------------------------------------------------------------------- helpers


def _service_id(host: str) -> str:
    return f"service:{host}"


def _subset_id(host: str, subset: str) -> str:
    return f"subset:{host}/{subset}"


def _workload_id(workload: WorkloadInfo) -> str:
    return f"workload:{workload.namespace}/{workload.name}"


def _vs_id(vs: VirtualServiceNode) -> str:
    return f"vs:{vs.namespace}/{vs.name}"


def _short_host(host: str, namespace: str) -> str:
    """``reviews`` for ``reviews.<namespace>.svc.<suffix>``; other hosts stay whole."""
    parts = host.split(".")
    if len(parts) > 3 and parts[1] == namespace and parts[2] == "svc":
        return parts[0]
    return host


def _subset_origin(entry: ResolvedDestinationRule, subset: Subset) -> tuple[DestinationRule, str]:
    """The DestinationRule (of a merged entry) that defines ``subset``, and its pointer."""
    for rule in entry.rules:
        for index, candidate in enumerate(rule.spec.subsets):
            if candidate is subset:
                return rule, f"/spec/subsets/{index}"
    return entry.rule, ""


def _rule_of(vs: VirtualService, rule: RouteRuleNode) -> object:
    rules = getattr(vs.spec, rule.section)
    return rules[rule.index] if rule.index < len(rules) else None


def _plain(rule: object) -> bool:
    """A rule with nothing to show but its destinations (its VirtualService stands for it)."""
    if isinstance(rule, HTTPRoute):
        special = rule.redirect or rule.direct_response or rule.delegate
        return not (rule.name or rule.match or special)
    return False


def _rule_summary(rule: object, section: str) -> str:
    if isinstance(rule, HTTPRoute):
        if rule.redirect is not None:
            return "redirect"
        if rule.direct_response is not None:
            return f"direct response {rule.direct_response.status}"
        if not rule.match:
            return "default"
        more = f" (+{len(rule.match) - 1})" if len(rule.match) > 1 else ""
        return _clip(_match_summary(rule.match[0])) + more
    return section.upper()


def _match_summary(match: HTTPMatchRequest) -> str:
    parts: list[str] = []
    if match.uri is not None:
        parts.append(_string_match("uri", match.uri))
    if match.method is not None:
        parts.append(_string_match("method", match.method))
    parts.extend(_string_match(key, value) for key, value in sorted(match.headers.items()))
    parts.extend(_string_match(f"?{k}", v) for k, v in sorted(match.query_params.items()))
    if match.port:
        parts.append(f"port {match.port}")
    return ", ".join(parts) or "any request"


def _string_match(key: str, match: StringMatch) -> str:
    if match.exact is not None:
        return f"{key}={match.exact}" if key not in {"uri", "method"} else match.exact
    if match.prefix is not None:
        return f"{key} {match.prefix}*" if key != "uri" else f"{match.prefix}*"
    if match.regex is not None:
        return f"{key}~{match.regex}"
    return f"has {key}"


def _clip(text: str) -> str:
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


def _route_label(destination: DestinationNode, edge: Edge) -> str:
    port = f" :{destination.port}" if destination.port is not None else ""
    if edge.percent is None:
        return f"0% ({edge.reason or 'no traffic'})" + port
    return format_percent(edge.percent) + port


def _operations_summary(operations: Iterable[object]) -> str:
    methods: list[str] = []
    paths: list[str] = []
    for item in operations:
        operation = getattr(item, "operation", None)
        if operation is not None:
            methods.extend(operation.methods)
            paths.extend(operation.paths)
    return _clip(" ".join([*dict.fromkeys(methods), *dict.fromkeys(paths)]))


def _sources(froms: Iterable[object]) -> list[Source | None]:
    """The sources of a rule's ``from`` entries (no ``from``: any source). A source with one
    positive field of several values (principals [a, b]: a OR b) is one source per value."""
    found: list[Source | None] = []
    for item in froms:
        source: Source | None = getattr(item, "source", None)
        found.extend(_split(source))
    return found or [None]


def _split(source: Source | None) -> list[Source | None]:
    if source is None:
        return [None]
    fields = [name for name, _ in SOURCE_FIELDS if getattr(source, name)]
    if len(fields) != 1 or fields[0].startswith("not_"):
        return [source]
    values: tuple[str, ...] = getattr(source, fields[0])
    return [source.model_copy(update={fields[0]: (value,)}) for value in values]


SOURCE_FIELDS = (
    ("principals", "principal"),
    ("not_principals", "not principal"),
    ("request_principals", "request principal"),
    ("not_request_principals", "not request principal"),
    ("namespaces", "namespace"),
    ("not_namespaces", "not namespace"),
    ("service_accounts", "service account"),
    ("not_service_accounts", "not service account"),
    ("ip_blocks", "ip"),
    ("not_ip_blocks", "not ip"),
    ("remote_ip_blocks", "remote ip"),
    ("not_remote_ip_blocks", "not remote ip"),
    ("trust_domains", "trust domain"),
    ("not_trust_domains", "not trust domain"),
)


def _source_terms(source: Source | None) -> list[str]:
    if source is None:
        return []
    terms: list[str] = []
    for name, title in SOURCE_FIELDS:
        values: tuple[str, ...] = getattr(source, name)
        if values:
            terms.append(f"{title} {', '.join(values)}")
    return terms


def _source_label(source: Source | None, terms: list[str]) -> tuple[str, str, str]:
    """(label, namespace, sublabel) of a source: a SPIFFE principal shows its service account."""
    principals = source.principals if source is not None else ()
    namespaces = source.namespaces if source is not None else ()
    spiffe = [_spiffe(p) for p in principals]
    if len(terms) == 1 and len(spiffe) == 1 and spiffe[0] is not None:
        return spiffe[0][1], spiffe[0][0], "principal · service account"
    if len(terms) == 1 and len(namespaces) == 1:
        return f"namespace {namespaces[0]}", namespaces[0], "any workload in it"
    owners = {found[0] for found in spiffe if found is not None}
    namespace = namespaces[0] if len(namespaces) == 1 else ""
    if not namespaces and len(owners) == 1 and None not in spiffe:
        namespace = owners.pop()
    single = [(n, t) for n, t in SOURCE_FIELDS if source is not None and getattr(source, n)]
    if len(single) == 1:
        name, title = single[0]
        return _clip_left(", ".join(getattr(source, name))), namespace, title
    return _clip(terms[0]), namespace, _clip("; ".join(terms[1:]))


def _clip_left(text: str) -> str:
    """The end of ``text`` (where a principal or host is most specific)."""
    return text if len(text) <= SUMMARY_WIDTH else "…" + text[1 - SUMMARY_WIDTH :]


def _spiffe(principal: str) -> tuple[str, str] | None:
    """(namespace, service account) of ``<trust domain>/ns/<ns>/sa/<sa>``."""
    parts = principal.split("/")
    if len(parts) == 5 and parts[1] == "ns" and parts[3] == "sa" and "*" not in principal:
        return parts[2], parts[4]
    return None
