"""MESH124: a host of a gateway-bound VirtualService that no server of the Gateway serves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY, intersect_hosts, parse_namespaced_host
from meshlint.model.base import Kind
from meshlint.model.gateway_api import K8sGateway
from meshlint.model.networking import Gateway, VirtualService
from meshlint.rule import Rule, RuleContext


@dataclass(frozen=True, slots=True)
class _Binding:
    pointer: str  # "/spec/gateways/0"
    name: str  # resolved "ns/name"
    served: frozenset[int]  # indexes into spec.hosts


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        if not vs.spec.hosts or not vs.spec.gateways:
            continue
        bindings, complete = _bindings(ctx, vs)
        for binding in bindings:
            if not binding.served:
                hosts = ", ".join(vs.spec.hosts)
                problem = f"Gateway {binding.name} serves none of the hosts ({hosts})"
                problem += _restriction_note(ctx, vs, binding.name)
                yield ctx.finding(vs, binding.pointer, problem=problem)
        yield from _unserved_hosts(ctx, vs, bindings, complete)


def _bindings(ctx: RuleContext, vs: VirtualService) -> tuple[list[_Binding], bool]:
    """The bound Gateways that exist; ``complete`` is False when one could not be found."""
    found: list[_Binding] = []
    complete = True
    for index, ref in enumerate(vs.spec.gateways):
        if ref == MESH_GATEWAY:
            continue
        name = ctx.mesh.resolve_gateway_ref(vs, ref)
        served = _served(ctx, vs, name)
        if served is None:
            complete = False  # missing (MESH123) or unknown: nothing to compare with
            continue
        found.append(_Binding(f"/spec/gateways/{index}", name, served))
    return found, complete


def _served(ctx: RuleContext, vs: VirtualService, name: str) -> frozenset[int] | None:
    """Indexes of the hosts the Gateway (Istio or Gateway API) ``name`` serves; None when
    neither kind of Gateway of that name is in the input."""
    indexes = range(len(vs.spec.hosts))
    gateway = ctx.mesh.gateway(name)
    if gateway is not None:
        return frozenset(i for i in indexes if _serves(ctx, gateway, vs, i))
    k8s_gateway = ctx.mesh.k8s_gateway(name)
    if k8s_gateway is not None:
        return frozenset(i for i in indexes if _listener_serves(ctx, k8s_gateway, vs, i))
    return None


def _listener_serves(ctx: RuleContext, gateway: K8sGateway, vs: VirtualService, index: int) -> bool:
    """A Gateway API listener without ``hostname`` accepts any host; else the hosts must
    intersect (``*.example.com`` covers subdomains). ``allowedRoutes`` governs Gateway API
    routes, not VirtualServices, so it is not consulted (as istioctl's GatewayAnalyzer)."""
    host = ctx.mesh.bound(vs).hosts[index]
    for listener in gateway.spec.listeners:
        if not listener.hostname or intersect_hosts(listener.hostname, host) is not None:
            return True
    return False


def _serves(ctx: RuleContext, gateway: Gateway, vs: VirtualService, index: int) -> bool:
    """``sanitizeServerHostNamespace`` + ``Names.Intersection`` (section 6.3)."""
    host = ctx.mesh.bound(vs).hosts[index]
    vs_namespace = ctx.mesh.namespace_of(vs)
    gateway_namespace = ctx.mesh.namespace_of(gateway)
    for server in gateway.spec.servers:
        for entry in map(parse_namespaced_host, server.hosts):
            if not entry.namespace_matches(vs_namespace, gateway_namespace):
                continue
            if intersect_hosts(entry.host, host) is not None:
                return True
    return False


def _restriction_note(ctx: RuleContext, vs: VirtualService, name: str) -> str:
    """When servers do list a host but only for other namespaces (``./h``, ``ns/h``), say so:
    the fix is then the VirtualService's namespace, not the host."""
    gateway = ctx.mesh.gateway(name)
    if gateway is None:
        return ""
    gateway_namespace = ctx.mesh.namespace_of(gateway)
    scopes: set[str] = set()
    for host in ctx.mesh.bound(vs).hosts:
        for server in gateway.spec.servers:
            for entry in map(parse_namespaced_host, server.hosts):
                if intersect_hosts(entry.host, host) is not None:
                    scopes.add(gateway_namespace if entry.namespace == "." else entry.namespace)
    if not scopes:
        return ""
    where = ", ".join(sorted(scopes))
    return f" to VirtualServices in {ctx.mesh.namespace_of(vs)}; it serves them only to {where}"


def _unserved_hosts(
    ctx: RuleContext, vs: VirtualService, bindings: list[_Binding], complete: bool
) -> Iterator[Finding]:
    """Hosts no bound Gateway serves, when others are served (else the Gateway finding says
    it) and the sidecars do not use the VirtualService (a mesh host needs no server)."""
    served = frozenset().union(*(b.served for b in bindings))
    if not served or not complete or vs.spec.applies_to_mesh:
        return
    names = ", ".join(b.name for b in bindings)
    for index, host in enumerate(vs.spec.hosts):
        if index not in served:
            problem = f"host {host} is not served by any of the bound Gateways ({names})"
            yield ctx.finding(vs, f"/spec/hosts/{index}", problem=problem)


RULE = Rule(
    code="MESH124",
    name="vs-host-not-in-gateway",
    summary="A host of a gateway-bound VirtualService is not served by the Gateway",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.GATEWAY, Kind.K8S_GATEWAY}),
    rationale=(
        "A gateway only builds routes for VirtualService hosts that intersect the hosts of "
        "one of its servers (respecting a server's ns/host restriction). Hosts outside them "
        "are silently dropped, so requests for them get 404 at the gateway."
    ),
    remediation=(
        "Add the host to a server of the Gateway (or widen a server's namespace restriction), "
        "or bind the VirtualService to the Gateway that serves the host."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blog, namespace: shop}
spec:
  hosts: [blog.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: blog}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: blog, namespace: shop}
spec:
  hosts: [blog.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: blog}}]}]
""",
    since="0.1.0",
    istio=("IST0132",),
    kiali=(),
    check=check,
)
