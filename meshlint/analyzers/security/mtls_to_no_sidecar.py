"""MESH302: a DestinationRule originates Istio mTLS toward workloads without a sidecar."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import WORKLOAD_KINDS, dr_tls_endpoints
from meshlint.model.base import Kind
from meshlint.model.networking import DestinationRule
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for dr in ctx.mesh.all(DestinationRule):
        reported: set[str] = set()
        for setting, endpoint in dr_tls_endpoints(ctx.mesh, dr):
            # has_sidecar None (namespace object absent) is unknown: only False counts
            if setting.mode != "ISTIO_MUTUAL" or endpoint.workload.has_sidecar is not False:
                continue
            if setting.pointer not in reported:
                reported.add(setting.pointer)
                workload = endpoint.workload
                yield ctx.finding(
                    dr,
                    setting.pointer,
                    related=[(workload.resource, "", "no sidecar is injected here")],
                    workload=f"{workload.namespace}/{workload.name}",
                )


RULE = Rule(
    code="MESH302",
    name="mtls-to-no-sidecar",
    summary="A DestinationRule sends Istio mTLS to workloads that have no sidecar",
    message=(
        "tls mode ISTIO_MUTUAL toward workload {workload}, which has no sidecar to terminate "
        "mTLS: connections fail"
    ),
    severity=Severity.ERROR,
    kinds=frozenset(
        {Kind.DESTINATION_RULE, Kind.SERVICE, Kind.SERVICE_ENTRY, Kind.NAMESPACE, *WORKLOAD_KINDS}
    ),
    rationale=(
        "ISTIO_MUTUAL in a DestinationRule is used for every endpoint, whether or not it runs "
        "a proxy. A pod without a sidecar (namespace not injected, injection disabled, "
        "hostNetwork) receives TLS bytes it cannot handle, and callers see 503 upstream "
        "connect errors."
    ),
    remediation=(
        "Inject a sidecar into the workload, or remove the tls setting so that auto mTLS sends "
        "plaintext to pods without a proxy."
    ),
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: disabled}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: legacy}
spec: {selector: {app: db}, ports: [{name: tcp, port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: legacy, labels: {app: db}}
spec: {containers: [{name: db}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: legacy}
spec: {host: db, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: disabled}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: legacy}
spec: {selector: {app: db}, ports: [{name: tcp, port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: legacy, labels: {app: db}}
spec: {containers: [{name: db}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: legacy}
spec: {host: db, trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}}
""",
    since="0.1.0",
    check=check,
)
