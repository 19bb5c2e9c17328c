"""MESH405: one certificate on several HTTPS servers of the same gateway pods and port."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.gateway_queries import (
    POD_AND_SERVICE_KINDS,
    GatewayGroup,
    GatewayServer,
    gateway_groups,
    gateway_servers,
    resolve_server_port,
)
from meshlint.model.base import Kind
from meshlint.rule import Rule, RuleContext

TERMINATING = frozenset({"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"})
_Use = tuple[GatewayServer, str]  # a server and the pointer of its certificate field


def check(ctx: RuleContext) -> Iterator[Finding]:
    seen: set[tuple[int, str]] = set()
    for group in gateway_groups(ctx.mesh):
        for (_, certificate), uses in _uses(ctx, group).items():
            if len({(id(s.gateway), s.index) for s, _ in uses}) < 2:
                continue
            for item, pointer in uses:
                key = (id(item.gateway), pointer)
                if key in seen:
                    continue
                seen.add(key)
                others = [(o, p) for o, p in uses if o is not item]
                yield ctx.finding(
                    item.gateway,
                    pointer,
                    related=[(o.gateway, p, "same certificate") for o, p in others],
                    certificate=certificate,
                    port=item.server.port.number if item.server.port else 0,
                    others=", ".join(sorted({_describe(ctx, o) for o, _ in others})),
                )


def _describe(ctx: RuleContext, item: GatewayServer) -> str:
    gateway = item.gateway
    return f"{ctx.mesh.namespace_of(gateway)}/{gateway.name} server {item.index}"


def _uses(ctx: RuleContext, group: GatewayGroup) -> dict[tuple[int, str], list[_Use]]:
    """(resolved port, certificate) -> the HTTPS servers that present it."""
    found: dict[tuple[int, str], list[_Use]] = {}
    for gateway in group.gateways:
        for item in gateway_servers(gateway):
            port = item.server.port
            if port is None or not port.number or item.protocol != "HTTPS":
                continue
            number = resolve_server_port(ctx.mesh, group.workloads, port.number)
            for pointer, certificate in _certificates(item):
                found.setdefault((number, certificate), []).append((item, pointer))
    return found


def _certificates(item: GatewayServer) -> Iterator[tuple[str, str]]:
    tls = item.server.tls
    if tls is None or item.tls_mode not in TERMINATING:
        return
    base = f"{item.pointer}/tls"
    if tls.credential_name:
        yield f"{base}/credentialName", f"credentialName {tls.credential_name}"
    for index, name in enumerate(tls.credential_names):
        yield f"{base}/credentialNames/{index}", f"credentialName {name}"
    if tls.server_certificate:
        yield f"{base}/serverCertificate", f"serverCertificate {tls.server_certificate}"
    for index, cert in enumerate(tls.tls_certificates):
        if cert.server_certificate:
            at = f"{base}/tlsCertificates/{index}/serverCertificate"
            yield at, f"serverCertificate {cert.server_certificate}"


RULE = Rule(
    code="MESH405",
    name="gw-duplicate-certificate",
    summary="The same certificate is used by several HTTPS servers on one gateway port",
    message=(
        "{certificate} on port {port} is also used by {others}: HTTP/2 clients may reuse a "
        "connection across these servers and get 404"
    ),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.GATEWAY}) | POD_AND_SERVICE_KINDS,
    rationale=(
        "Each HTTPS server gets its own route table, selected by SNI when the connection "
        "opens. A browser that holds an HTTP/2 connection whose certificate also covers "
        "another host reuses it for that host, so the request lands on the first server's "
        "routes and gets 404. Two servers on one gateway port sharing a certificate invite "
        "exactly that."
    ),
    remediation=(
        "Serve the hosts from one server (list all hosts on it), or give each server its own "
        "certificate."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-cert}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: blog, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [blog.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-cert}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com, blog.example.com]
    tls: {mode: SIMPLE, credentialName: wildcard-cert}
""",
    since="0.1.0",
    istio=("IST0138",),
    kiali=(),
    check=check,
)
