"""DestinationRule queries for the traffic rules: effective subsets, subset use, subset pods."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from meshlint.matching import ExportTo, host_matches, is_wildcard, labels_subset
from meshlint.mesh.core import Mesh
from meshlint.mesh.destinationrules import ResolvedDestinationRule
from meshlint.mesh.hosts import ServiceInfo
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.networking import DestinationRule, Subset, VirtualService
from meshlint.model.routes import DestinationRef, destinations

# Labels Istio adds to endpoints from the node / cluster, not from the pod (3.5 topology).
TOPOLOGY_PREFIXES = ("topology.kubernetes.io/", "topology.istio.io/")


@dataclass(frozen=True, slots=True)
class SubsetUse:
    """A route or mirror that names a subset: the VS, the destination and its FQDN host."""

    vs: VirtualService
    ref: DestinationRef
    host: str  # FQDN, lower-cased
    callers: ExportTo  # who may use the VS: its exportTo plus gateway proxy namespaces


class SubsetUsage:
    """Every subset reference of every VirtualService, indexed by (host, subset) and subset."""

    __slots__ = ("_by_host", "_by_subset")

    def __init__(self, mesh: Mesh) -> None:
        self._by_host: dict[tuple[str, str], list[SubsetUse]] = {}
        self._by_subset: dict[str, list[SubsetUse]] = {}
        for vs in mesh.all(VirtualService):
            namespace = mesh.namespace_of(vs)
            callers = _callers(mesh, vs)
            for ref in destinations(vs):
                subset = ref.destination.subset
                if not subset:
                    continue
                host = mesh.fqdn(ref.destination.host, namespace).lower()
                use = SubsetUse(vs, ref, host, callers)
                self._by_host.setdefault((host, subset), []).append(use)
                self._by_subset.setdefault(subset, []).append(use)

    def uses(self, mesh: Mesh, rule: DestinationRule, subset: str) -> tuple[SubsetUse, ...]:
        """Routes and mirrors naming ``subset`` of a host ``rule`` covers, from a VS whose
        callers may see ``rule`` (its exportTo overlaps theirs)."""
        host = dr_host(mesh, rule)
        if is_wildcard(host):
            found = [u for u in self._by_subset.get(subset, ()) if host_matches(u.host, host)]
        else:
            found = self._by_host.get((host, subset), [])
        export = mesh.export_to(rule)
        return tuple(u for u in found if _overlap(u.callers, export))


def _callers(mesh: Mesh, vs: VirtualService) -> ExportTo:
    """The namespaces whose proxies may use ``vs``: its exportTo, plus its bound gateways' pods
    (generous on purpose: a wider set means fewer "unused" claims)."""
    export = mesh.export_to(vs)
    extra: set[str] = set()
    for ref in vs.spec.gateways:
        gateway = mesh.gateway(mesh.resolve_gateway_ref(vs, ref))
        if gateway is not None:
            extra.update(mesh.gateway_proxy_namespaces(gateway))
    return ExportTo(export.owner, export.public, export.namespaces | extra)


def _overlap(a: ExportTo, b: ExportTo) -> bool:
    if a.public:
        return b.public or bool(b.namespaces)
    return any(b.visible_to(ns) for ns in a.namespaces)


def dr_host(mesh: Mesh, rule: DestinationRule) -> str:
    """The DR host as istiod resolves it: short names against the DR namespace, lower-cased."""
    return mesh.fqdn(rule.spec.host, mesh.namespace_of(rule)).lower()


def dr_entry(mesh: Mesh, rule: DestinationRule) -> ResolvedDestinationRule | None:
    """The consolidated entry (3.3) ``rule`` was merged into."""
    entries = mesh.destination_rule_entries(mesh.namespace_of(rule), dr_host(mesh, rule))
    return next((e for e in entries if any(r is rule for r in e.rules)), None)


def effective_subsets(mesh: Mesh, rule: DestinationRule) -> Iterator[tuple[int, Subset]]:
    """(index, subset) for each subset of ``rule`` that survives merging: duplicates inside the
    DR or of an earlier merged DR are dropped (3.3)."""
    entry = dr_entry(mesh, rule)
    for index, subset in enumerate(rule.spec.subsets):
        if entry is None or entry.subset(subset.name) is subset:
            yield index, subset


def subset_selector(subset: Subset) -> dict[str, str]:
    """Subset labels a pod must carry: topology labels (added by Istio from the node) are left
    out, except empty ones, which Istio never adds to an endpoint and so never match (3.5)."""
    return {
        key: value
        for key, value in subset.labels.items()
        if not key.startswith(TOPOLOGY_PREFIXES) or value == ""
    }


def services_with_pods(mesh: Mesh, rule: DestinationRule) -> tuple[ServiceInfo, ...]:
    """Registry services for the DR's exact host whose endpoints come from selected workloads
    (a Service selector or a ServiceEntry workloadSelector); wildcard hosts give none."""
    host = dr_host(mesh, rule)
    if is_wildcard(host):
        return ()
    return tuple(s for s in mesh.services_for_host(host) if s.selector)


def subset_workloads(
    mesh: Mesh, service: ServiceInfo, labels: Mapping[str, str]
) -> tuple[WorkloadInfo, ...]:
    """Workloads behind ``service`` that also carry every subset label in ``labels``."""
    return tuple(w for w in mesh.workloads_for_service(service) if labels_subset(labels, w.labels))
