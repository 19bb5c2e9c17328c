"""MESH124: a host of a gateway-bound VirtualService that no server of the Gateway serves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY, intersect_hosts, parse_namespaced_host
from meshlint.model.base import Kind
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
        gateway = ctx.mesh.gateway(name)
        if gateway is None:
            complete = False  # missing (MESH123) or unknown: nothing to compare with
            continue
        served = frozenset(i for i, _ in enumerate(vs.spec.hosts) if _serves(ctx, gateway, vs, i))
        found.append(_Binding(f"/spec/gateways/{index}", name, served))
    return found, complete


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
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.GATEWAY}),
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
