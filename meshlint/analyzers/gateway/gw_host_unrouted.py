"""MESH406: a host of an HTTP/HTTPS Gateway server that no bound VirtualService routes."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.gateway_queries import (
    HTTP_FAMILY,
    POD_KINDS,
    TERMINATING,
    GatewayServer,
    gateway_servers,
)
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway, VirtualService
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    bound = _bound_gateways(ctx)
    for gateway in ctx.mesh.all(Gateway):
        ref = f"{ctx.mesh.namespace_of(gateway)}/{gateway.name}"
        # Offline precision: a Gateway no VirtualService in the input binds to is more likely
        # routed from elsewhere (another repository) than dead; only --assume-complete says so.
        if ref not in bound and not ctx.mesh.settings.assume_complete:
            continue
        for item in gateway_servers(gateway):
            if not _routes_http(item):
                continue
            for index, host in enumerate(item.server.hosts):
                single = item.server.model_copy(update={"hosts": (host,)})
                if not ctx.mesh.gateway_virtual_hosts(gateway, single):
                    port = item.server.port.number if item.server.port else 0
                    yield ctx.finding(
                        gateway, f"{item.pointer}/hosts/{index}", host=host, port=port
                    )


def _bound_gateways(ctx: RuleContext) -> frozenset[str]:
    """``ns/name`` of every Gateway some VirtualService in the input is bound to."""
    return frozenset(g for vs in ctx.mesh.all(VirtualService) for g in ctx.mesh.bound(vs).gateways)


def _routes_http(item: GatewayServer) -> bool:
    """Servers whose requests are routed by VirtualService ``http`` rules (6.3).

    An ``httpsRedirect`` server answers 301 for every host, VS or not; TCP and TLS
    passthrough servers are routed by ``tcp``/``tls`` rules or SNI.
    """
    tls = item.server.tls
    if item.protocol in HTTP_FAMILY:
        return not (tls is not None and tls.https_redirect)
    return item.protocol == "HTTPS" and item.tls_mode in TERMINATING


RULE = Rule(
    code="MESH406",
    name="gw-host-unrouted",
    summary="A Gateway server host that no bound VirtualService routes",
    message=(
        "{resource} accepts {host} on port {port}, but no VirtualService bound to it routes "
        "this host: requests get 404"
    ),
    severity=Severity.INFO,
    kinds=frozenset({Kind.GATEWAY, Kind.VIRTUAL_SERVICE}) | POD_KINDS,  # pods: proxy namespace
    rationale=(
        "A gateway builds virtual hosts only from the VirtualServices bound to it whose hosts "
        "intersect a server host (and pass its namespace restriction and exportTo). A server "
        "host that no such VirtualService covers is accepted by the listener but has no "
        "routes, so every request for it gets 404. Sometimes this is a placeholder, hence info."
    ),
    remediation=(
        "Bind a VirtualService for the host to this Gateway, or remove the host from the server."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com, blog.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: shop}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: shop}}]}]
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
