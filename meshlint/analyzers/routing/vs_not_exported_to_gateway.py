"""MESH127: a gateway ignores a bound VirtualService (exportTo or a ``ns/host`` server)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY, intersect_hosts, parse_namespaced_host
from meshlint.mesh import BoundVirtualService
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway, VirtualService
from meshlint.rule import Rule, RuleContext

WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        bound = ctx.mesh.bound(vs)
        for index, ref in enumerate(vs.spec.gateways):
            name = ctx.mesh.resolve_gateway_ref(vs, ref)
            gateway = ctx.mesh.gateway(name)
            if ref == MESH_GATEWAY or gateway is None:
                continue
            problem = _not_exported(ctx, vs, gateway) or _excluded(ctx, bound, gateway)
            if problem is not None:
                related = [(gateway, "", f"Gateway {name}")]
                yield ctx.finding(
                    vs, f"/spec/gateways/{index}", related=related, gateway=name, problem=problem
                )


def _not_exported(ctx: RuleContext, vs: VirtualService, gateway: Gateway) -> str | None:
    """The VS must be exported to the namespace of the gateway pods (6.3)."""
    proxies = ctx.mesh.gateway_proxy_namespaces(gateway)
    export = ctx.mesh.export_to(vs)
    if any(export.visible_to(ns) for ns in proxies):
        return None
    where = ", ".join(proxies)
    assumed = "" if ctx.mesh.gateway_workloads(gateway) else " (assumed: no gateway pods in input)"
    return f"it is not exported to {where}, where the gateway pods run{assumed}"


def _excluded(ctx: RuleContext, bound: BoundVirtualService, gateway: Gateway) -> str | None:
    """Hosts the servers would serve, but only through ``ns/host`` entries for another
    namespace (``./host`` is the Gateway's namespace)."""
    gateway_namespace = ctx.mesh.namespace_of(gateway)
    blocking: list[str] = []
    for server in gateway.spec.servers:
        for raw in server.hosts:
            entry = parse_namespaced_host(raw)
            if not any(intersect_hosts(entry.host, h) is not None for h in bound.hosts):
                continue
            if entry.namespace_matches(bound.namespace, gateway_namespace):
                return None
            blocking.append(raw)
    if not blocking:
        return None
    return f"its hosts are served only by {', '.join(blocking)}, not open to {bound.namespace}"


RULE = Rule(
    code="MESH127",
    name="vs-not-exported-to-gateway",
    summary="A bound Gateway ignores the VirtualService (exportTo or a namespaced server host)",
    message="gateway {gateway} ignores this VirtualService: {problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.GATEWAY, *WORKLOAD_KINDS}),
    rationale=(
        "A gateway proxy only uses VirtualServices exported to the namespace its pods run "
        "in, and a server host written ns/host (or ./host) admits only VirtualServices from "
        "that namespace (the Gateway's for ./). A VirtualService outside them is silently "
        "dropped, so its hosts get 404 at the gateway."
    ),
    remediation=(
        "Export the VirtualService to the gateway pods' namespace (or *), or open the server "
        "host to the VirtualService's namespace."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  exportTo: ["."]
  http: [{route: [{destination: {host: shop}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  exportTo: [".", istio-system]
  http: [{route: [{destination: {host: shop}}]}]
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
