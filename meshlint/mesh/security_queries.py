"""Shared mTLS and authorization queries for the MESH3xx rules (free functions over a Mesh)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from meshlint.matching import Protocol, labels_subset
from meshlint.mesh.core import Mesh
from meshlint.mesh.destinationrules import subset_policy
from meshlint.mesh.hosts import ServiceInfo, ServicePortInfo
from meshlint.mesh.security import MtlsMode
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.kubernetes import ServiceAccount
from meshlint.model.networking import ClientTLSSettings, DestinationRule, Subset, TrafficPolicy
from meshlint.model.security import AuthorizationPolicy, RequestAuthentication
from meshlint.model.security import Rule as AuthzRule

DRY_RUN = "istio.io/dry-run"
AMBIENT_REDIRECTION = "ambient.istio.io/redirection"
DEFAULT_SERVICE_ACCOUNT = "default"  # Kubernetes creates it in every namespace


@dataclass(frozen=True, slots=True)
class TlsSetting:
    """One ``tls.mode`` written in a DestinationRule, with where it applies."""

    mode: str
    pointer: str  # the JSON pointer of the ``mode`` value
    subset: Subset | None = None
    port: int | None = None  # a Service port number (portLevelSettings), None: every port
    tls: ClientTLSSettings | None = field(default=None, compare=False)


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
        yield TlsSetting(policy.tls.mode, f"{pointer}/tls/mode", subset, None, policy.tls)
    for index, setting in enumerate(policy.port_level_settings):
        number = setting.port.number if setting.port is not None else None
        if setting.tls is not None and setting.tls.mode and number is not None:
            at = f"{pointer}/portLevelSettings/{index}/tls/mode"
            yield TlsSetting(setting.tls.mode, at, subset, number, setting.tls)


def target_port(port: ServicePortInfo, workload: WorkloadInfo) -> int | None:
    """The workload port a Service port forwards to (a named targetPort via container ports)."""
    return workload.target_port(port.target_port, port.number)


def dr_tls_endpoints(mesh: Mesh, dr: DestinationRule) -> tuple[tuple[TlsSetting, Endpoint], ...]:
    """(written tls setting, endpoint) for every endpoint of the DR's host that the setting
    really governs after subset/port-level precedence (3.2): the default cluster, plus one
    subset cluster per subset whose labels the workload carries."""
    return mesh.memo_for(dr, "dr_tls_endpoints", partial(_dr_tls_endpoints, mesh, dr))


def _dr_tls_endpoints(mesh: Mesh, dr: DestinationRule) -> tuple[tuple[TlsSetting, Endpoint], ...]:
    written = {id(s.tls): s for s in dr_tls_settings(dr)}
    host = mesh.fqdn(dr.spec.host, mesh.namespace_of(dr))
    found: list[tuple[TlsSetting, Endpoint]] = []
    for service in mesh.services_for_host(host):
        for workload in mesh.workloads_for_service(service):
            subsets = [s for s in dr.spec.subsets if labels_subset(s.labels, workload.labels)]
            for port in service.ports:
                endpoint = Endpoint(workload, service, port, target_port(port, workload))
                for subset in (None, *subsets):
                    policy = subset_policy(dr.spec.traffic_policy, subset, port.number)
                    tls = policy.tls if policy is not None else None
                    if tls is not None and id(tls) in written:
                        found.append((written[id(tls)], endpoint))
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


def is_ambient(workload: WorkloadInfo) -> bool:
    """Captured by ztunnel (ambient mode): HBONE always carries mTLS identity."""
    return workload.annotations.get(AMBIENT_REDIRECTION) == "enabled"


def is_dry_run(policy: AuthorizationPolicy) -> bool:
    """``istio.io/dry-run: "true"``: evaluated in shadow mode only, never enforced (5.4)."""
    return policy.metadata.annotations.get(DRY_RUN, "").lower() in ("true", "1", "t")


def dr_disables_tls_to(mesh: Mesh, workload: WorkloadInfo) -> DestinationRule | None:
    """A DestinationRule that sends plaintext (``tls.mode: DISABLE``) to the workload."""
    for dr in mesh.all(DestinationRule):
        for setting, endpoint in dr_tls_endpoints(mesh, dr):
            if setting.mode == "DISABLE" and endpoint.workload is workload:
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


# ---------------------------------------------------------------- AuthorizationPolicy rules

# 4.5: matched against the peer certificate; a plaintext request never has them
IDENTITY_FIELDS = {
    "principals": "principals",
    "namespaces": "namespaces",
    "service_accounts": "serviceAccounts",
    "trust_domains": "trustDomains",
}
IDENTITY_KEYS = frozenset(
    {"source.principal", "source.namespace", "source.serviceAccount", "source.trustDomain"}
)
# 5.5: attributes only an HTTP filter chain has
HTTP_SOURCE_FIELDS = {
    "request_principals": "requestPrincipals",
    "not_request_principals": "notRequestPrincipals",
}
HTTP_OPERATION_FIELDS = {
    "hosts": "hosts",
    "not_hosts": "notHosts",
    "methods": "methods",
    "not_methods": "notMethods",
    "paths": "paths",
    "not_paths": "notPaths",
}
HTTP_KEYS = frozenset(
    {"request.auth.principal", "request.auth.audiences", "request.auth.presenter"}
)
HTTP_KEY_PREFIXES = ("request.headers[", "request.auth.claims[")


def identity_pointers(rule: AuthzRule, at: str) -> tuple[str, ...]:
    """Pointers to the positive peer-identity conditions of one rule (4.5)."""
    found = [
        f"{at}/from/{i}/source/{alias}"
        for i, entry in enumerate(rule.from_ or ())
        if entry.source is not None
        for name, alias in IDENTITY_FIELDS.items()
        if getattr(entry.source, name)
    ]
    found.extend(
        f"{at}/when/{i}/key" for i, c in enumerate(rule.when) if c.key in IDENTITY_KEYS and c.values
    )
    return tuple(found)


def is_http_key(key: str) -> bool:
    return key in HTTP_KEYS or key.startswith(HTTP_KEY_PREFIXES)


def http_only_pointers(rule: AuthzRule, at: str) -> tuple[str, ...]:
    """Pointers to the HTTP-only attributes of one rule (5.5)."""
    found = [
        f"{at}/from/{i}/source/{alias}"
        for i, entry in enumerate(rule.from_ or ())
        if entry.source is not None
        for name, alias in HTTP_SOURCE_FIELDS.items()
        if getattr(entry.source, name)
    ]
    found.extend(
        f"{at}/to/{i}/operation/{alias}"
        for i, entry in enumerate(rule.to or ())
        if entry.operation is not None
        for name, alias in HTTP_OPERATION_FIELDS.items()
        if getattr(entry.operation, name)
    )
    found.extend(f"{at}/when/{i}/key" for i, c in enumerate(rule.when) if is_http_key(c.key))
    return tuple(found)


def rule_ports(rule: AuthzRule) -> tuple[int, ...] | None:
    """The numeric ``to.operation.ports`` of a rule; None when some ``to`` has no ports
    (the rule then targets every port)."""
    ports: list[int] = []
    for entry in rule.to or ():
        operation = entry.operation
        if operation is None or not operation.ports:
            return None
        ports.extend(int(p) for p in operation.ports if p.isdigit())
    return tuple(ports) if rule.to else None
