"""MESH501: a Service port whose name or appProtocol selects no protocol (ISTIO-SEMANTICS 7.3)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import service_port_protocol
from meshlint.mesh.hygiene_queries import is_istio_managed, is_system_namespace
from meshlint.model.base import Kind
from meshlint.model.kubernetes import Service, ServicePort
from meshlint.rule import Rule, RuleContext

EXTERNAL_NAME = "ExternalName"


def check(ctx: RuleContext) -> Iterator[Finding]:
    for service in ctx.mesh.all(Service):
        if is_system_namespace(ctx.mesh.namespace_of(service)) or is_istio_managed(service):
            continue  # istioctl skips system namespaces and Istio's own Services
        external = service.spec.type == EXTERNAL_NAME
        for index, port in enumerate(service.spec.ports):
            problem = _problem(port, external)
            if problem is not None:
                yield ctx.finding(
                    service,
                    _pointer(port, index),
                    port=port.port,
                    name=port.name or "(unnamed)",
                    problem=problem,
                )


def _problem(port: ServicePort, external: bool) -> str | None:
    if port.port is None:
        return None
    protocol = service_port_protocol(port.port, port.name, port.protocol, port.app_protocol)
    if external and (protocol.is_sniffed or protocol.is_tcp):
        # an ExternalName Service has no ClusterIP: a TCP or sniffed port becomes a
        # 0.0.0.0:<port> listener that captures every connection on that port
        return (
            "is TCP or auto-detected on an ExternalName Service, which has no ClusterIP: "
            "sidecars may send every connection to this port number to it"
        )
    if protocol.is_sniffed:
        return (
            "selects no protocol, so Istio auto-detects it: server-first protocols hang "
            "and HTTP features depend on detection"
        )
    return None


def _pointer(port: ServicePort, index: int) -> str:
    field = "appProtocol" if port.app_protocol is not None else "name"
    if port.app_protocol is None and port.name is None:
        return f"/spec/ports/{index}"
    return f"/spec/ports/{index}/{field}"


RULE = Rule(
    code="MESH501",
    name="svc-port-protocol",
    summary="A Service port whose name or appProtocol does not select a protocol",
    message="port {port} ({name}) {problem}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.SERVICE}),
    rationale=(
        "Istio takes a Kubernetes Service port's protocol from appProtocol, else from the port "
        "name prefix (http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp). "
        "Anything else is auto-detected: HTTP/1.1 and HTTP/2 are sniffed and the rest is TCP, "
        "and a server-first protocol waits for client bytes that never come. On an "
        "ExternalName Service, which has no ClusterIP, a TCP or auto-detected port becomes a "
        "wildcard listener that captures every connection to that port number."
    ),
    remediation=(
        "Name the port <protocol>[-suffix] (for example http-web or tcp-db) or set appProtocol."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: web, port: 9080}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http-web, port: 9080}]
""",
    since="0.1.0",
    istio=("IST0118", "IST0150"),
    check=check,
)
