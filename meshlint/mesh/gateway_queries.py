"""Gateway queries for the MESH4xx rules: gateway pods, Service ports, servers, secrets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from meshlint.matching import labels_subset
from meshlint.mesh.core import WORKLOAD_KINDS, Mesh
from meshlint.mesh.inventory import creation_key
from meshlint.mesh.workloads import PROXY_CONTAINER, SIDECAR_STATUS, WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.kubernetes import Secret
from meshlint.model.networking import Gateway, Server

HTTP_FAMILY = frozenset({"HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY"})
# TLS modes in which an HTTPS server terminates TLS and routes with VirtualService http rules
TERMINATING = frozenset({"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL", "ISTIO_MUTUAL"})
INJECT_TEMPLATES = "inject.istio.io/templates"
# the kinds a check reads when it asks which pods a Gateway configures
POD_KINDS = frozenset({*WORKLOAD_KINDS, Kind.WORKLOAD_ENTRY})
# ... and the Services in front of them (ServiceEntries with a workloadSelector count too)
POD_AND_SERVICE_KINDS = POD_KINDS | {Kind.SERVICE, Kind.SERVICE_ENTRY}


@dataclass(frozen=True, slots=True, eq=False)
class GatewayServer:
    """One server of one Gateway, with where it is written."""

    gateway: Gateway
    index: int
    server: Server

    @property
    def pointer(self) -> str:
        return f"/spec/servers/{self.index}"

    @property
    def protocol(self) -> str:
        return (self.server.port.protocol if self.server.port else "").upper()

    @property
    def is_tls(self) -> bool:
        """``gateway.IsTLSServer``: an HTTPS/TLS server with tls settings."""
        return self.server.tls is not None and self.protocol in {"HTTPS", "TLS"}

    @property
    def tls_mode(self) -> str:
        """The TLS mode (PASSTHROUGH is the enum's zero value); "" without tls."""
        tls = self.server.tls
        return "" if tls is None else tls.mode or "PASSTHROUGH"


@dataclass(frozen=True, slots=True)
class GatewayGroup:
    """Gateways that configure the same gateway pods (oldest Gateway first, 6.4).

    ``workloads`` is empty when the pods are not in the input and the group was inferred from
    the selectors alone.
    """

    gateways: tuple[Gateway, ...]
    workloads: tuple[WorkloadInfo, ...]


def gateway_servers(gateway: Gateway) -> tuple[GatewayServer, ...]:
    return tuple(GatewayServer(gateway, i, s) for i, s in enumerate(gateway.spec.servers))


def is_gateway_proxy(workload: WorkloadInfo) -> bool:
    """A gateway proxy: gateway labels, the gateway injection template, or an ``istio-proxy``
    container that is not an injected sidecar (hand-written gateway pods)."""
    if workload.is_gateway or "gateway" in workload.annotations.get(INJECT_TEMPLATES, ""):
        return True
    template = workload.pod_template
    if template is None or SIDECAR_STATUS in workload.annotations:
        return False
    return any(c.name == PROXY_CONTAINER for c in template.spec.containers)


def gateway_pods_known(mesh: Mesh) -> bool:
    """Whether "no gateway pod matches" can be trusted (SPEC §1 offline precision): the input
    holds at least one gateway proxy workload, or the user said it is complete."""
    return mesh.settings.assume_complete or any(map(is_gateway_proxy, mesh.workloads()))


def ordered_gateways(mesh: Mesh, gateways: Iterable[Gateway]) -> tuple[Gateway, ...]:
    """Gateways in istiod's processing order (creationTimestamp, name, namespace)."""
    return tuple(sorted(gateways, key=lambda g: creation_key(g, mesh.namespace_of(g))))


def gateway_groups(mesh: Mesh) -> tuple[GatewayGroup, ...]:
    """Sets of Gateways that configure one gateway pod, one group per distinct set.

    With gateway pods in the input, the groups come from the pods each Gateway selects.
    For Gateways that select no pod in the input (or when there are none), every non-empty
    selector stands for a presumed pod labelled exactly so: a Gateway shares it when its
    selector is contained in those labels (6.2).
    """
    if not gateway_pods_known(mesh):
        return _groups_from_selectors(mesh, mesh.all(Gateway))
    podless = [g for g in mesh.all(Gateway) if not mesh.gateway_workloads(g)]
    return _groups_from_pods(mesh) + _groups_from_selectors(mesh, podless)


def _groups_from_pods(mesh: Mesh) -> tuple[GatewayGroup, ...]:
    by_pod: dict[int, list[Gateway]] = {}
    pods: dict[int, WorkloadInfo] = {}
    for gateway in mesh.all(Gateway):
        for workload in mesh.gateway_workloads(gateway):
            by_pod.setdefault(id(workload), []).append(gateway)
            pods[id(workload)] = workload
    groups: dict[tuple[int, ...], list[WorkloadInfo]] = {}
    members: dict[tuple[int, ...], list[Gateway]] = {}
    for pod_id, gateways in by_pod.items():
        key = tuple(sorted(map(id, gateways)))
        groups.setdefault(key, []).append(pods[pod_id])
        members[key] = gateways
    return tuple(
        GatewayGroup(ordered_gateways(mesh, members[key]), tuple(workloads))
        for key, workloads in groups.items()
    )


def _groups_from_selectors(mesh: Mesh, gateways: Sequence[Gateway]) -> tuple[GatewayGroup, ...]:
    seen: set[tuple[int, ...]] = set()
    found: list[GatewayGroup] = []
    for labels in _distinct_selectors(gateways):
        sharing = [g for g in gateways if labels_subset(g.spec.selector, labels)]
        key = tuple(sorted(map(id, sharing)))
        if key not in seen:
            seen.add(key)
            found.append(GatewayGroup(ordered_gateways(mesh, sharing), ()))
    return tuple(found)


def _distinct_selectors(gateways: Sequence[Gateway]) -> list[Mapping[str, str]]:
    found: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}
    for gateway in gateways:
        if gateway.spec.selector:
            found.setdefault(tuple(sorted(gateway.spec.selector.items())), gateway.spec.selector)
    return list(found.values())


def accepted_ports(mesh: Mesh, workloads: Sequence[WorkloadInfo]) -> frozenset[int] | None:
    """Server port numbers the Services in front of ``workloads`` accept: each Service port
    and its target port (6.2 ``resolvePorts``). None when unknown: a pod without a Service, or a
    named targetPort that no container port of the pods defines; or no pods at all."""
    if not workloads or not all(map(mesh.services_for_workload, workloads)):
        return None  # some pods have no Service in the input: their ports are unknown
    found: set[int] = set()
    for service in mesh.services_in_front(workloads):
        for port in service.ports:
            target = _target_number(port.number, port.target_port, workloads)
            if target is None:
                return None
            found.update((port.number, target))
    return frozenset(found)


def resolve_server_port(mesh: Mesh, workloads: Sequence[WorkloadInfo], number: int) -> int:
    """The port the gateway pods listen on for a server port: the first Service port with
    that number translated to its targetPort; the number itself otherwise (6.2)."""
    for service in mesh.services_in_front(workloads):
        port = service.port(number)
        if port is not None:
            target = _target_number(number, port.target_port, workloads)
            return number if target is None else target
    return number


def _target_number(
    number: int, target: int | str | None, workloads: Sequence[WorkloadInfo]
) -> int | None:
    """A Service port's target: the port itself when unset; a name via the container ports."""
    if target is None:
        return number
    if isinstance(target, int):
        return target
    if target.isdigit():
        return int(target)
    names = (p.number for w in workloads for p in w.ports if p.name == target)
    return next(names, None)


def secret_namespaces(mesh: Mesh) -> frozenset[str] | None:
    """Namespaces whose Secrets the input shows: those holding at least one Secret (TLS
    Secrets are often managed outside Git, SPEC §1); None when the input is declared complete
    (every namespace counts)."""
    if mesh.settings.assume_complete:
        return None
    return frozenset(mesh.namespace_of(s) for s in mesh.all(Secret))


def secret_keys(secret: Secret, candidates: Iterable[str]) -> frozenset[str]:
    """Which of ``candidates`` are keys of the Secret's ``data`` or ``stringData``."""
    return frozenset(candidates).intersection(secret.data_keys)
