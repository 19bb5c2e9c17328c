"""MESH403: a Gateway server port that the Service in front of the gateway pods lacks."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.gateway_queries import POD_AND_SERVICE_KINDS, accepted_ports, gateway_servers
from meshlint.model.base import Kind
from meshlint.model.networking import Gateway
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for gateway in ctx.mesh.all(Gateway):
        workloads = ctx.mesh.gateway_workloads(gateway)
        # no pods or no Service in the input: the ports are unknown, not missing (SPEC §1)
        ports = accepted_ports(ctx.mesh, workloads)
        if ports is None:
            continue
        front = ctx.mesh.services_in_front(workloads)
        services = ", ".join(sorted({f"{s.namespace}/{s.resource.name}" for s in front}))
        for item in gateway_servers(gateway):
            port = item.server.port
            if port is None or port.number is None or port.number == 0:
                continue  # schema findings, or a unix:// bind
            if port.number not in ports:
                yield ctx.finding(
                    gateway,
                    f"{item.pointer}/port/number",
                    port=port.number,
                    services=services,
                    accepted=", ".join(map(str, sorted(ports))),
                )


RULE = Rule(
    code="MESH403",
    name="gw-port-not-on-service",
    summary="A Gateway server port is not a port of the Service in front of the gateway pods",
    message=(
        "{resource} listens on port {port}, but the Service in front of its pods ({services}) "
        "accepts only {accepted} (Service ports and target ports)"
    ),
    severity=Severity.ERROR,
    kinds=frozenset({Kind.GATEWAY}) | POD_AND_SERVICE_KINDS,
    rationale=(
        "A server port is the gateway Service's port, translated to its targetPort on the "
        "pods. A port the Service does not expose is bound on the pod as-is, but no traffic "
        "reaches it through the Service, so the server is unreachable from outside."
    ),
    remediation=(
        "Use a port of the gateway Service (or its targetPort), or add the port to the Service."
    ),
    example_bad="""\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8081, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
""",
    example_good="""\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
""",
    since="0.1.0",
    istio=("IST0162",),
    kiali=(),
    check=check,
)
