"""MESH507: Services in front of one workload give one of its ports different protocols."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.matching import Protocol
from meshlint.mesh import ServiceInfo
from meshlint.mesh.hygiene_queries import resolve_target_port
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.rule import Rule, RuleContext

WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
    Kind.WORKLOAD_ENTRY,
)


@dataclass(frozen=True, slots=True)
class _Use:
    service: ServiceInfo
    port: int
    protocol: Protocol


def check(ctx: RuleContext) -> Iterator[Finding]:
    for workload in ctx.mesh.workloads():
        if workload.has_sidecar is False or workload.is_gateway:
            continue  # without a sidecar nothing builds an inbound listener per port
        services = [s for s in ctx.mesh.services_for_workload(workload) if s.kind is Kind.SERVICE]
        if len(services) < 2:  # a conflict needs two Services
            continue
        for target, uses in _by_target(workload, services).items():
            if len({u.protocol for u in uses}) > 1:
                yield _finding(ctx, workload, target, uses)


def _by_target(workload: WorkloadInfo, services: list[ServiceInfo]) -> dict[str, list[_Use]]:
    found: dict[str, list[_Use]] = {}
    for service in services:
        for port in service.ports:
            if port.protocol is Protocol.UDP:
                continue
            target = resolve_target_port(workload, port.target_port, port.number)
            found.setdefault(target, []).append(_Use(service, port.number, port.protocol))
    return found


def _finding(ctx: RuleContext, workload: WorkloadInfo, target: str, uses: list[_Use]) -> Finding:
    ports = sorted({u.port for u in uses})
    described = ", ".join(
        f"{u.service.namespace}/{u.service.resource.name}:{u.port} as {u.protocol}" for u in uses
    )
    where = f"port {ports[0]}" if len(ports) == 1 else f"target port {target}"
    return ctx.finding(
        workload.resource,
        "/metadata/name",
        related=[(u.service.resource, "/spec/ports", _name(u.service)) for u in uses],
        where=where,
        services=described,
    )


def _name(service: ServiceInfo) -> str:
    return f"Service {service.namespace}/{service.resource.name}"


RULE = Rule(
    code="MESH507",
    name="workload-multi-service",
    summary="Services in front of one workload give the same port different protocols",
    message="{resource} is behind several Services that give {where} different protocols: "
    "{services}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.SERVICE, Kind.NAMESPACE, *WORKLOAD_KINDS}),
    rationale=(
        "The sidecar builds one inbound listener per workload port, with the protocol taken "
        "from the Service port that targets it. When two Services select the same pods and "
        "map the same container port with different protocols (say tcp and http), istiod "
        "keeps only one, so traffic arriving through the other Service is handled with the "
        "wrong protocol: HTTP routing and policies are lost, or TCP traffic is parsed as HTTP "
        "and fails."
    ),
    remediation=(
        "Give the port the same protocol (port name or appProtocol) in every Service that "
        "selects the workload, or split the workload."
    ),
    example_bad="""\
apiVersion: v1
kind: Pod
metadata: {name: details, namespace: shop, labels: {app: details}}
spec: {containers: [{name: app, image: details, ports: [{containerPort: 9080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: details-tcp, namespace: shop}
spec: {selector: {app: details}, ports: [{name: tcp, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: details-http, namespace: shop}
spec: {selector: {app: details}, ports: [{name: http, port: 9080}]}
""",
    example_good="""\
apiVersion: v1
kind: Pod
metadata: {name: details, namespace: shop, labels: {app: details}}
spec: {containers: [{name: app, image: details, ports: [{containerPort: 9080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: details, namespace: shop}
spec: {selector: {app: details}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: details-alias, namespace: shop}
spec: {selector: {app: details}, ports: [{name: http-alias, port: 9080}]}
""",
    since="0.1.0",
    istio=("IST0116", "IST0137"),
    check=check,
)
