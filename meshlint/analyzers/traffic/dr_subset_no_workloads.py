"""MESH201: a DestinationRule subset whose labels select no workload of the service."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh import Mesh, ServiceInfo
from meshlint.mesh.traffic_queries import (
    SubsetUsage,
    effective_subsets,
    services_with_pods,
    subset_selector,
    subset_workloads,
)
from meshlint.model.base import Kind, Resource
from meshlint.model.networking import DestinationRule, Subset
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


def check(ctx: RuleContext) -> Iterator[Finding]:
    mesh = ctx.mesh
    if not mesh.workloads() and not mesh.settings.assume_complete:
        return  # no workload in the input at all: nothing to compare subsets with
    usage = SubsetUsage(mesh)
    for rule in mesh.all(DestinationRule):
        services = services_with_pods(mesh, rule)
        if not services:
            continue  # unknown host (MESH203), wildcard, or no selector: endpoints unknown
        for index, subset in effective_subsets(mesh, rule):
            if any(subset_workloads(mesh, s, subset_selector(subset)) for s in services):
                continue
            yield _finding(ctx, usage, rule, index=index, subset=subset, service=services[0])


def _finding(  # noqa: PLR0913 - the pieces of one finding
    ctx: RuleContext,
    usage: SubsetUsage,
    rule: DestinationRule,
    *,
    index: int,
    subset: Subset,
    service: ServiceInfo,
) -> Finding:
    mesh = ctx.mesh
    uses = usage.uses(mesh, rule, subset.name)
    partial = not _namespace_has_workloads(mesh, service.namespace)
    # routed: the subset cluster is empty and requests fail with 503 (3.5); otherwise only dead
    # configuration. When the service itself has no workload in the input (or its namespace
    # none at all) the input is more likely partial than the subset wrong: info only.
    certain = not partial and bool(mesh.workloads_for_service(service))
    severity = None if uses and certain else Severity.INFO
    related: list[tuple[Resource, str, str]] = [
        (u.vs, f"{u.ref.pointer}/subset", f"used by {u.vs.ref}") for u in uses[:3]
    ]
    related.append((service.resource, "", str(service.resource.ref)))
    where = "/labels" if subset.labels else "/name"
    return ctx.finding(
        rule,
        f"/spec/subsets/{index}{where}",
        severity=severity,
        related=related,
        subset=subset.name,
        host=rule.spec.host,
        reason=_reason(mesh, service, subset, partial),
    )


def _namespace_has_workloads(mesh: Mesh, namespace: str) -> bool:
    return mesh.settings.assume_complete or bool(mesh.workloads_selected(namespace, None))


def _reason(mesh: Mesh, service: ServiceInfo, subset: Subset, partial: bool) -> str:
    name = f"{service.resource.kind} {service.namespace}/{service.resource.name}"
    if partial:
        return f"the input has no workload in namespace {service.namespace}"
    if not mesh.workloads_for_service(service):
        return f"{name} selects no workload"
    shown = {k: v or '""' for k, v in subset_selector(subset).items()}
    labels = ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
    return f"no workload of {name} has the labels {labels}"


RULE = Rule(
    code="MESH201",
    name="dr-subset-no-workloads",
    summary="A DestinationRule subset selects no workload of its service",
    message="subset {subset} of {host} selects no workload: {reason}",
    severity=Severity.ERROR,
    # VirtualServices and Gateways (whose pods call the routes) decide whether it is routed
    kinds=frozenset(
        {
            Kind.DESTINATION_RULE,
            Kind.VIRTUAL_SERVICE,
            Kind.GATEWAY,
            Kind.SERVICE,
            Kind.SERVICE_ENTRY,
            *WORKLOAD_KINDS,
        }
    ),
    rationale=(
        "A subset's endpoints are the service's endpoints whose labels contain every subset "
        "label. When no workload has them, the subset cluster is empty and every request "
        "routed to it fails with 503 (no healthy upstream). Topology labels "
        "(topology.kubernetes.io/*, topology.istio.io/*) come from the node, not the pod, and "
        "are not checked. The finding is an error when a route or mirror uses the subset and "
        "the service has workloads in the input, and informational otherwise (an input "
        "without the service's workloads is probably partial)."
    ),
    remediation=(
        "Fix the subset labels (or the pod labels) so that they select the intended version, "
        "or remove the subset and the routes that use it."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: app, image: reviews}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v2, labels: {version: v2}}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: app, image: reviews}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
""",
    since="0.1.0",
    istio=("IST0173",),
    kiali=("KIA0203",),
    check=check,
)
