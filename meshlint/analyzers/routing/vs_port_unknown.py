"""MESH122: a destination port the service does not expose, or a missing port Istio needs."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import (
    MESH_GATEWAY,
    Protocol,
    intersect_hosts,
    parse_namespaced_host,
    parse_protocol,
)
from meshlint.mesh import ServiceInfo
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway, Server, VirtualService
from meshlint.model.routes import DestinationRef, destinations
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        namespace = ctx.mesh.namespace_of(vs)
        for ref in destinations(vs):
            host = ctx.mesh.fqdn(ref.destination.host, namespace)
            services = ctx.mesh.services_for_host(host, namespace) or ctx.mesh.services_for_host(
                host
            )
            if not services or not services[0].ports:
                continue  # unknown host (MESH121) or a service without declared ports
            finding = _check_port(ctx, vs, ref, services[0])
            if finding is not None:
                yield finding


def _check_port(
    ctx: RuleContext, vs: VirtualService, ref: DestinationRef, service: ServiceInfo
) -> Finding | None:
    ports = ", ".join(str(p.number) for p in service.ports)
    what = f"{service.resource.kind} {service.namespace}/{service.resource.name}"
    port = ref.destination.port.number if ref.destination.port is not None else None
    host = ref.destination.host
    if port is not None:
        if service.port(port) is not None:
            return None
        problem = f"port {port} is not a port of {what} (ports: {ports})"
        return ctx.finding(vs, f"{ref.pointer}/port/number", host=host, problem=problem)
    if len(service.ports) < 2:
        return None  # a single-port service: that port is used
    arriving = request_ports(ctx, vs, ref)
    if arriving is None:
        problem = f"has no port, and {what} exposes several (ports: {ports})"
    elif missing := sorted(arriving - {p.number for p in service.ports}):
        listed = ", ".join(map(str, missing))
        problem = (
            f"has no port, so requests keep port {listed}, which {what} does not expose "
            f"(ports: {ports})"
        )
    else:
        return None
    return ctx.finding(vs, ref.pointer, host=host, problem=problem)


def request_ports(ctx: RuleContext, vs: VirtualService, ref: DestinationRef) -> set[int] | None:
    """Ports the route's requests arrive on, which Istio uses when the destination has none
    (section 3.5). None when they cannot be known: a delegate VirtualService (no hosts)."""
    rule = getattr(vs.spec, ref.section)[ref.rule_index]
    matched = {m.port for m in rule.match}
    if rule.match and None not in matched:
        return {p for p in matched if p is not None}
    if not vs.spec.hosts:
        return None
    http = ref.section == "http"
    ports: set[int] = set()
    if vs.spec.applies_to_mesh:
        for host in ctx.mesh.bound(vs).hosts:
            for service in ctx.mesh.services_for_host(host):
                # http rules serve the HTTP (and sniffed) ports, tcp/tls rules the others (7.3)
                ports.update(p.number for p in service.ports if _carries(p.protocol, http))
    for entry in vs.spec.gateways:
        gateway = ctx.mesh.gateway(ctx.mesh.resolve_gateway_ref(vs, entry))
        if entry != MESH_GATEWAY and gateway is not None:
            ports.update(_server_ports(ctx, vs, gateway, http=http))
    return ports


def _carries(protocol: Protocol, http: bool) -> bool:
    return protocol.is_http_or_sniffed if http else not protocol.is_http


def _server_ports(
    ctx: RuleContext, vs: VirtualService, gateway: Gateway, *, http: bool
) -> set[int]:
    """Listener ports of the servers whose hosts the VS intersects (section 6.3); a gateway
    passes its server port on as the request port."""
    vs_namespace = ctx.mesh.namespace_of(vs)
    gateway_namespace = ctx.mesh.namespace_of(gateway)
    found: set[int] = set()
    for server in gateway.spec.servers:
        if server.port is None or server.port.number is None:
            continue
        if _server_is_http(server) != http:
            continue
        for entry in map(parse_namespaced_host, server.hosts):
            if entry.namespace_matches(vs_namespace, gateway_namespace) and any(
                intersect_hosts(entry.host, host) for host in ctx.mesh.bound(vs).hosts
            ):
                found.add(server.port.number)
    return found


def _server_is_http(server: Server) -> bool:
    """HTTP-family servers and HTTPS servers that terminate TLS use the VS http rules."""
    protocol = parse_protocol(server.port.protocol if server.port else None)
    passthrough = server.tls is not None and server.tls.mode in (None, "PASSTHROUGH")
    terminated_https = protocol is Protocol.HTTPS and not passthrough
    return protocol.is_http or terminated_https


RULE = Rule(
    code="MESH122",
    name="vs-port-unknown",
    summary="A destination port the service does not expose, or no port where one is needed",
    message="destination {host} {problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.SERVICE, Kind.SERVICE_ENTRY, Kind.GATEWAY}),
    rationale=(
        "Istio sends the route to the cluster outbound|port|subset|host. A port the service "
        "does not have names a cluster that does not exist, so requests fail with 503. "
        "Without a port, a single-port service uses its port, but a multi-port service uses "
        "the port the request arrived on: a gateway's port 80 or another service's port is "
        "usually not one of the destination's ports."
    ),
    remediation="Set destination.port.number to one of the ports the service exposes.",
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, port: {number: 8080}}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, port: {number: 9080}}}]}]
""",
    since="0.1.0",
    # IST0101 for a port the service lacks (ReferencedResourceNotFound host:port), IST0112 for
    # a missing port on a multi-port service (VirtualServiceDestinationPortSelectorRequired)
    istio=("IST0101", "IST0112"),
    kiali=(),
    check=check,
)
