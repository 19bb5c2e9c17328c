"""Shared mTLS and authorization queries for the MESH3xx rules (free functions over a Mesh)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.matching import Protocol, labels_subset
from meshlint.mesh.core import Mesh
from meshlint.mesh.hosts import ServiceInfo, ServicePortInfo
from meshlint.mesh.security import MtlsMode
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.kubernetes import ServiceAccount
from meshlint.model.networking import DestinationRule, Subset, TrafficPolicy
from meshlint.model.security import AuthorizationPolicy, RequestAuthentication

DRY_RUN = "istio.io/dry-run"
DEFAULT_SERVICE_ACCOUNT = "default"  # Kubernetes creates it in every namespace


@dataclass(frozen=True, slots=True)
class TlsSetting:
    """One ``tls.mode`` written in a DestinationRule, with where it applies."""

    mode: str
    pointer: str  # the JSON pointer of the ``mode`` value
    subset: Subset | None = None
    port: int | None = None  # a Service port number (portLevelSettings), None: every port


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A workload behind a service port, with the workload (target) port it receives on."""

    workload: WorkloadInfo
    service: ServiceInfo
    port: ServicePortInfo
    target: int | None  # None: a named targetPort the workload does not declare


def dr_tls_settings(dr: DestinationRule) -> tuple[TlsSetting, ...]:
    """Every ``tls.mode`` in a DestinationRule: top level, port level, subsets (3.2)."""
    found = list(_policy_tls(dr.spec.traffic_policy, "/spec/trafficPolicy", None))
    for index, subset in enumerate(dr.spec.subsets):
        at = f"/spec/subsets/{index}/trafficPolicy"
        found.extend(_policy_tls(subset.traffic_policy, at, subset))
    return tuple(found)


def _policy_tls(
    policy: TrafficPolicy | None, pointer: str, subset: Subset | None
) -> Iterator[TlsSetting]:
    if policy is None:
        return
    if policy.tls is not None and policy.tls.mode:
        yield TlsSetting(policy.tls.mode, f"{pointer}/tls/mode", subset)
    for index, setting in enumerate(policy.port_level_settings):
        number = setting.port.number if setting.port is not None else None
        if setting.tls is not None and setting.tls.mode and number is not None:
            at = f"{pointer}/portLevelSettings/{index}/tls/mode"
            yield TlsSetting(setting.tls.mode, at, subset, number)


def target_port(port: ServicePortInfo, workload: WorkloadInfo) -> int | None:
    """The workload port a Service port forwards to (a named targetPort via container ports)."""
    target = port.target_port
    if target is None:
        return port.number
    if isinstance(target, int):
        return target
    if target.isdigit():
        return int(target)
    return next((p.number for p in workload.ports if p.name == target), None)


def dr_endpoints(mesh: Mesh, dr: DestinationRule, setting: TlsSetting) -> tuple[Endpoint, ...]:
    """The workloads (and ports) a DestinationRule TLS setting sends traffic to."""
    host = mesh.fqdn(dr.spec.host, mesh.namespace_of(dr))
    subset_labels = setting.subset.labels if setting.subset is not None else {}
    found: list[Endpoint] = []
    for service in mesh.services_for_host(host):
        ports = [p for p in service.ports if setting.port in (None, p.number)]
        for workload in mesh.workloads_for_service(service):
            if labels_subset(subset_labels, workload.labels):
                found.extend(Endpoint(workload, service, p, target_port(p, workload)) for p in ports)
    return tuple(found)


def policy_workloads(
    mesh: Mesh, policy: AuthorizationPolicy | RequestAuthentication
) -> tuple[WorkloadInfo, ...]:
    """Sidecar workloads a policy applies to (5.2): root namespace = mesh-wide; targetRef
    policies apply to no sidecar."""
    spec = policy.spec
    if spec.target_ref is not None or spec.target_refs:
        return ()
    namespace = mesh.namespace_of(policy)
    selector = spec.selector.match_labels if spec.selector is not None else None
    scope = None if namespace == mesh.settings.root_namespace else namespace
    return mesh.workloads_selected(scope, selector)


def policy_scope_known(mesh: Mesh, policy: AuthorizationPolicy | RequestAuthentication) -> bool:
    """Whether the input lists the workloads a policy could select (offline precision)."""
    namespace = mesh.namespace_of(policy)
    scope = None if namespace == mesh.settings.root_namespace else namespace
    return workloads_known(mesh, scope)


def workloads_known(mesh: Mesh, namespace: str | None) -> bool:
    """Whether "no workload in ``namespace``" (None: anywhere) can be trusted."""
    return mesh.settings.assume_complete or bool(mesh.workloads_selected(namespace, None))


def workload_endpoints(mesh: Mesh, workload: WorkloadInfo) -> tuple[Endpoint, ...]:
    """The Service ports in front of a workload, with their target ports."""
    return tuple(
        Endpoint(workload, service, port, target_port(port, workload))
        for service in mesh.services_for_workload(workload)
        for port in service.ports
    )


def workload_ports(mesh: Mesh, workload: WorkloadInfo) -> tuple[int, ...]:
    """Container ports and Service target ports of a workload, sorted."""
    ports = {p.number for p in workload.ports}
    ports.update(e.target for e in workload_endpoints(mesh, workload) if e.target is not None)
    return tuple(sorted(ports))


def port_protocols(mesh: Mesh, workload: WorkloadInfo) -> dict[int, Protocol]:
    """Workload port -> protocol of the first Service port that targets it (7.3)."""
    found: dict[int, Protocol] = {}
    for endpoint in workload_endpoints(mesh, workload):
        if endpoint.target is not None:
            found.setdefault(endpoint.target, endpoint.port.protocol)
    return found


def is_opaque(protocol: Protocol) -> bool:
    """Ports whose inbound sidecar chain is TCP (no HTTP attributes): TCP family and TLS."""
    return protocol.is_tcp or protocol.is_tls


def service_accounts(mesh: Mesh, namespace: str) -> frozenset[str] | None:
    """Service accounts known in ``namespace``; None when the input says nothing about them
    (no ServiceAccount object and no workload there)."""
    names = {a.name for a in mesh.all(ServiceAccount) if mesh.namespace_of(a) == namespace}
    names.update(w.service_account for w in mesh.workloads_selected(namespace, None))
    if not names and not mesh.settings.assume_complete:
        return None
    return frozenset(names | {DEFAULT_SERVICE_ACCOUNT})


def namespace_glob_matches(pattern: str, namespace: str) -> bool:
    """``namespaces`` values: every ``*`` is a glob (5.3)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, namespace) is not None


def is_dry_run(policy: AuthorizationPolicy) -> bool:
    """``istio.io/dry-run: "true"``: evaluated in shadow mode only, never enforced (5.4)."""
    return policy.metadata.annotations.get(DRY_RUN, "").lower() in ("true", "1", "t")


def dr_disables_tls_to(mesh: Mesh, workload: WorkloadInfo) -> DestinationRule | None:
    """A DestinationRule that sends plaintext (``tls.mode: DISABLE``) to the workload."""
    for dr in mesh.all(DestinationRule):
        for setting in dr_tls_settings(dr):
            if setting.mode != "DISABLE":
                continue
            if any(e.workload is workload for e in dr_endpoints(mesh, dr, setting)):
                return dr
    return None


def mtls_explicitly_off(mesh: Mesh, workload: WorkloadInfo, port: int | None) -> bool:
    """PeerAuthentication DISABLE, a DestinationRule DISABLE toward it, or auto mTLS off."""
    if not mesh.settings.enable_auto_mtls:
        return True
    if mesh.peer_authentication_mode(workload, port).mode is MtlsMode.DISABLE:
        return True
    return dr_disables_tls_to(mesh, workload) is not None


WORKLOAD_KINDS = frozenset(
    {
        Kind.POD,
        Kind.DEPLOYMENT,
        Kind.STATEFUL_SET,
        Kind.DAEMON_SET,
        Kind.REPLICA_SET,
        Kind.JOB,
        Kind.CRON_JOB,
        Kind.WORKLOAD_ENTRY,
    }
)
