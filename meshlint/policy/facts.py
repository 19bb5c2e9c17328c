"""Computed mesh facts for ``data.meshlint.facts``: read from the Mesh facade and the MeshGraph.

Nothing here re-derives Istio semantics: effective mTLS comes from
``Mesh.peer_authentication_mode``, the selections from ``Mesh.policies_for_workload`` /
``Mesh.sidecar_scope`` / ``Mesh.services_for_workload``, the route tables from the graph
queries the routing rules use. The costly sections are built only when a policy reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from meshlint.graph import MeshGraph
from meshlint.graph.nodes import (
    ClientScope,
    DestinationNode,
    Edge,
    EdgeKind,
    RouteRuleNode,
    VirtualHostNode,
    VirtualServiceNode,
    WorkloadNode,
)
from meshlint.mesh import Mesh, MtlsDecision, WorkloadInfo
from meshlint.model.base import Resource

SECTIONS = ("workloads", "routes")  # computed on demand; the settings facts are always there
_FACTS_USE = re.compile(r"\bfacts\b\s*(\.\s*(\w+))?")
_WHOLE = re.compile(r"\bdata\b(?!\s*\.\s*\w)|\bdata\s*\.\s*meshlint\b(?!\s*\.\s*\w)")


def wanted_sections(sources: Iterable[str]) -> frozenset[str]:
    """The costly fact sections the Rego ``sources`` may read.

    A source that names ``facts.workloads`` wants that section; one that reads ``facts``,
    ``data.meshlint`` or ``data`` as a whole (or indexes them dynamically) wants all of them.
    """
    wanted: set[str] = set()
    for source in sources:
        text = _code(source)
        if _WHOLE.search(text):
            return frozenset(SECTIONS)
        for match in _FACTS_USE.finditer(text):
            section = match.group(2)
            if section is None:
                return frozenset(SECTIONS)
            wanted.add(section)
    return frozenset(wanted & set(SECTIONS))


def _code(source: str) -> str:
    """Rego without comments (a METADATA description may mention facts)."""
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def mesh_facts(
    mesh: Mesh, graph: MeshGraph | None, sections: Iterable[str] = SECTIONS
) -> dict[str, Any]:
    """``data.meshlint.facts``: mesh settings, plus the requested ``sections``."""
    settings = mesh.settings
    facts: dict[str, Any] = {
        "root_namespace": settings.root_namespace,
        "default_namespace": settings.default_namespace,
        "trust_domain": settings.trust_domain,
        "assume_complete": settings.assume_complete,
    }
    wanted = frozenset(sections)
    if "workloads" in wanted:
        facts["workloads"] = [workload_facts(mesh, w) for w in mesh.workloads()]
        facts["workload_index"] = workload_index(facts["workloads"])
    if "routes" in wanted:
        facts["routes"] = list(route_facts(graph or MeshGraph(mesh)))
        facts["route_index"] = route_index(facts["routes"])
    return facts


def workload_index(workloads: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``[kind][namespace][name]`` -> position in ``workloads`` (look-ups, not scans)."""
    index: dict[str, dict[str, dict[str, int]]] = {}
    for position, item in enumerate(workloads):
        by_namespace = index.setdefault(item["kind"], {}).setdefault(item["namespace"], {})
        by_namespace.setdefault(item["name"], position)
    return index


def route_index(tables: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``[namespace][VirtualService name]`` -> ``[table, rule]`` positions of its route rules."""
    index: dict[str, dict[str, list[list[int]]]] = {}
    for table_position, table in enumerate(tables):
        for rule_position, rule in enumerate(table["rules"]):
            owner = rule["virtual_service"]
            places = index.setdefault(owner["namespace"], {}).setdefault(owner["name"], [])
            places.append([table_position, rule_position])
    return index


# ------------------------------------------------------------------ workloads


def workload_facts(mesh: Mesh, workload: WorkloadInfo) -> dict[str, Any]:
    """One workload: identity, labels, sidecar, effective mTLS and the configs selecting it."""
    scope = mesh.sidecar_scope(workload)
    return {
        "kind": workload.kind.kind_name,
        "namespace": workload.namespace,
        "name": workload.name,
        "labels": dict(workload.labels),
        "service_account": workload.service_account,
        "principal": _principal(mesh, workload),
        "has_sidecar": workload.has_sidecar,
        "is_gateway": workload.is_gateway,
        "services": [info.fqdn for info in mesh.services_for_workload(workload)],
        "mtls": _mtls(mesh.peer_authentication_mode(workload)),
        "mtls_ports": {
            str(port): _mtls(mesh.peer_authentication_mode(workload, port))
            for port in _ports(mesh, workload)
        },
        "authorization_policies": [
            _ref(policy) | {"action": policy.spec.action or "ALLOW"}
            for policy in mesh.policies_for_workload(workload)
        ],
        "request_authentications": [
            _ref(policy) for policy in mesh.request_authentications_for_workload(workload)
        ],
        "sidecar": _ref(scope.sidecar) if scope.sidecar is not None else None,
    }


def _principal(mesh: Mesh, workload: WorkloadInfo) -> str:
    account = workload.service_account or "default"
    return f"{mesh.settings.trust_domain}/ns/{workload.namespace}/sa/{account}"


def _ports(mesh: Mesh, workload: WorkloadInfo) -> list[int]:
    """Declared container ports and the target ports of the Services in front, sorted."""
    ports = {port.number for port in workload.ports}
    for info in mesh.services_for_workload(workload):
        for port in info.ports:
            target = workload.target_port(port.target_port, port.number)
            if target is not None:
                ports.add(target)
    return sorted(ports)


def _mtls(decision: MtlsDecision) -> dict[str, Any]:
    policy = decision.policy
    return {
        "mode": decision.mode.value,
        "level": decision.level.value,
        "policy": _ref(policy) if policy is not None else None,
    }


def _ref(resource: Resource) -> dict[str, Any]:
    return {
        "kind": resource.KIND.kind_name,
        "namespace": resource.metadata.namespace,
        "name": resource.name,
    }


# ------------------------------------------------------------------ route tables


def route_facts(graph: MeshGraph) -> Iterator[dict[str, Any]]:
    """One entry per route table (client, host, gateway port), in the graph's order."""
    tables = _Tables(graph)
    for client in graph.clients():
        for vhost, _ in graph.out_edges(client, {EdgeKind.HAS_HOST}):
            if isinstance(vhost, VirtualHostNode):
                yield tables.table(client, vhost)


class _Tables:
    """Route tables read from the graph; the workloads behind a destination are looked up once
    per (destination, client), since the rules of a VirtualService repeat their backends."""

    def __init__(self, graph: MeshGraph) -> None:
        self._graph = graph
        self._workloads: dict[tuple[DestinationNode, ClientScope], list[dict[str, str]]] = {}

    def table(self, client: ClientScope, vhost: VirtualHostNode) -> dict[str, Any]:
        graph = self._graph
        vses = [vs for vs, _ in graph.out_edges(vhost, {EdgeKind.SELECTS_VS})]
        services = [vs for vs in vses if isinstance(vs, VirtualServiceNode)]
        default = [d for d, _ in graph.out_edges(vhost, {EdgeKind.DEFAULT_ROUTE})]
        return {
            "client": str(client),
            "host": vhost.host,
            "port": vhost.port,
            "virtual_services": [{"namespace": v.namespace, "name": v.name} for v in services],
            "rules": [self._rule(client, rule) for vs in services for rule in graph.rules_of(vs)],
            "default": [
                self._destination(client, d, None)
                for d in default
                if isinstance(d, DestinationNode)
            ],
        }

    def _rule(self, client: ClientScope, rule: RouteRuleNode) -> dict[str, Any]:
        return {
            "virtual_service": {"namespace": rule.vs.namespace, "name": rule.vs.name},
            "pointer": rule.pointer,
            "destinations": self._all(client, self._graph.destinations_of(rule)),
            "mirrors": self._all(client, self._graph.destinations_of(rule, mirrors=True)),
        }

    def _all(
        self, client: ClientScope, found: Sequence[tuple[DestinationNode, Edge]]
    ) -> list[dict[str, Any]]:
        return [self._destination(client, node, edge) for node, edge in found]

    def _destination(
        self, client: ClientScope, node: DestinationNode, edge: Edge | None
    ) -> dict[str, Any]:
        key = (node, client)
        workloads = self._workloads.get(key)
        if workloads is None:
            workloads = [_workload(w) for w in self._graph.workloads_for(node, client)]
            self._workloads[key] = workloads
        return {
            "host": node.host,
            "subset": node.subset,
            "port": node.port,
            "percent": edge.percent if edge is not None else 100.0,
            "workloads": workloads,
        }


def _workload(node: WorkloadNode) -> dict[str, str]:
    return {"kind": node.kind, "namespace": node.namespace, "name": node.name}
