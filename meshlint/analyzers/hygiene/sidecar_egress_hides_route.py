"""MESH506: a Sidecar's egress imports a service but not the VirtualService that routes it (2.5)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh import ServiceInfo, SidecarScope
from meshlint.model.base import Kind
from meshlint.model.networking import Sidecar
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
    seen: set[tuple[int, int, str]] = set()
    for scope in _scopes(ctx):
        sidecar = scope.sidecar
        if sidecar is None or not sidecar.spec.egress:
            continue
        for service in ctx.mesh.services():
            finding = _check_service(ctx, scope, sidecar, service, seen)
            if finding is not None:
                yield finding


def _scopes(ctx: RuleContext) -> Iterator[SidecarScope]:
    """Each distinct (Sidecar, namespace) scope in use: per namespace default, per workload."""
    for namespace in sorted(ctx.mesh.namespaces_present):
        yield ctx.mesh.sidecar_scope_for_namespace(namespace)
    for workload in ctx.mesh.workloads():
        if not workload.is_gateway:
            yield ctx.mesh.sidecar_scope(workload)


def _check_service(
    ctx: RuleContext,
    scope: SidecarScope,
    sidecar: Sidecar,
    service: ServiceInfo,
    seen: set[tuple[int, int, str]],
) -> Finding | None:
    namespace = scope.namespace
    if not service.export_to.visible_to(namespace):
        return None
    if not scope.imports(service.fqdn, service.namespace):
        return None  # the service itself is hidden: calls fail outright, not a routing issue
    routed = ctx.mesh.virtual_service_for_host(namespace, service.fqdn)
    if routed is None:
        return None
    used = ctx.mesh.virtual_service_for_host(namespace, service.fqdn, scope=scope)
    if used is not None and used.resource is routed.resource:
        return None
    key = (id(sidecar), id(routed.resource), service.fqdn)  # once, for the first namespace
    if key in seen:
        return None
    seen.add(key)
    vs_name = f"VirtualService {routed.namespace}/{routed.resource.name}"
    return ctx.finding(
        sidecar,
        "/spec/egress",
        related=[(routed.resource, "/spec/hosts", vs_name)],
        host=service.fqdn,
        vs=vs_name,
        namespace=namespace,
        instead=f"routes of {used.namespace}/{used.resource.name}" if used else "default routes",
    )


RULE = Rule(
    code="MESH506",
    name="sidecar-egress-hides-route",
    summary="A Sidecar's egress imports a service but not the VirtualService that routes it",
    message=(
        "egress imports {host} but not {vs}, so workloads in {namespace} use {instead} for it"
    ),
    severity=Severity.WARNING,
    kinds=frozenset(
        {
            Kind.SIDECAR,
            Kind.VIRTUAL_SERVICE,
            Kind.SERVICE,
            Kind.SERVICE_ENTRY,
            *WORKLOAD_KINDS,
        }
    ),
    rationale=(
        "A Sidecar's egress hosts import services and VirtualServices separately, each by the "
        "namespace the object lives in. When a service is imported but the VirtualService that "
        "routes it lives in a namespace the egress list does not cover, the proxy still reaches "
        "the service, but silently without that VirtualService: canary splits, retries, "
        "timeouts, fault injection and header rules are all skipped."
    ),
    remediation=(
        "Add the VirtualService's namespace (for example routing/reviews.shop.svc.cluster.local "
        "or routing/*) to the Sidecar's egress hosts, or move the VirtualService next to the "
        "service."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: routing}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}], timeout: 2s}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*"]}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: routing}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}], timeout: 2s}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*", "routing/*"]}]
""",
    since="0.1.0",
    check=check,
)
