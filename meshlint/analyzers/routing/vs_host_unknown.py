"""MESH121: a destination host that matches no Service or ServiceEntry visible to the VS."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from meshlint.findings import Finding, Severity
from meshlint.mesh import ServiceInfo
from meshlint.meshconfig import REGISTRY_ONLY
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import DestinationRef, destinations
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    severity = Severity.ERROR if _registry_only(ctx) else None
    for vs in ctx.mesh.all(VirtualService):
        namespace = ctx.mesh.namespace_of(vs)
        clients = _clients(ctx, vs, namespace)
        for ref in destinations(vs):
            host = ctx.mesh.fqdn(ref.destination.host, namespace)
            if not host or _visible(ctx, host, clients):
                continue
            defined = _defined(ctx, host)
            if defined:
                where = ", ".join(clients)
                reason = f"is defined by {_describe(defined[0])} but not exported to {where}"
                related = [(defined[0].resource, "", _describe(defined[0]))]
                yield ctx.finding(
                    vs,
                    f"{ref.pointer}/host",
                    severity=severity,
                    related=related,
                    what=_what(ref),
                    host=ref.destination.host,
                    reason=reason,
                )
            elif _surely_missing(ctx, host):
                reason = "matches no Service or ServiceEntry"
                yield ctx.finding(
                    vs,
                    f"{ref.pointer}/host",
                    severity=severity,
                    what=_what(ref),
                    host=ref.destination.host,
                    reason=reason,
                )


def _what(ref: DestinationRef) -> str:
    return "mirror" if ref.mirror else "destination"


def _registry_only(ctx: RuleContext) -> bool:
    # unknown hosts get 502 (BlackHoleCluster) instead of passthrough (section 2.1)
    return ctx.mesh.settings.outbound_traffic_policy == REGISTRY_ONLY


def _clients(ctx: RuleContext, vs: VirtualService, namespace: str) -> tuple[str, ...]:
    """Namespaces whose view matters: the VS's exportTo list, else its own namespace.

    istioctl's DestinationHostAnalyzer accepts the host if any of them sees it.
    """
    export = ctx.mesh.export_to(vs)
    if export.public or not export.namespaces:
        return (namespace,)
    return tuple(sorted(export.namespaces))


def _visible(ctx: RuleContext, host: str, clients: Sequence[str]) -> bool:
    for client in clients:
        if ctx.mesh.services_for_host(host, client):
            return True
        wildcards = ctx.mesh.wildcard_entries_for(host)
        if any(entry.export_to.visible_to(client) for entry in wildcards):
            return True
    return False


def _defined(ctx: RuleContext, host: str) -> tuple[ServiceInfo, ...]:
    """Definitions visible elsewhere; a catch-all ``*`` ServiceEntry does not count as one."""
    exact = ctx.mesh.services_for_host(host)
    return exact or tuple(e for e in ctx.mesh.wildcard_entries_for(host) if e.fqdn != "*")


def _surely_missing(ctx: RuleContext, host: str) -> bool:
    """Offline precision (SPEC §1): ``name.ns[.svc[.suffix]]`` is missing only when ``ns`` is
    in the input; any other name could be a ServiceEntry elsewhere unless the input is
    declared complete."""
    namespace = ctx.mesh.host_namespace(host, partial=True)
    if namespace is not None:
        return ctx.mesh.namespace_known(namespace)
    return ctx.mesh.settings.assume_complete


def _describe(info: ServiceInfo) -> str:
    return f"{info.resource.kind} {info.namespace}/{info.resource.name}"


RULE = Rule(
    code="MESH121",
    name="vs-host-unknown",
    summary="A destination host matches no Service or ServiceEntry the VirtualService can see",
    message="{what} host {host} {reason}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.SERVICE, Kind.SERVICE_ENTRY}),
    rationale=(
        "A route destination must be a service in the proxy's registry: Istio sends the "
        "traffic to the cluster outbound|port||host, and when no Service or ServiceEntry "
        "defines that host (or none is exported to the caller's namespace) the cluster does "
        "not exist and requests fail with 503, even under ALLOW_ANY (istio/istio#54148). "
        "Short names resolve in the VirtualService's namespace, and a dotted name such as "
        "reviews.prod is used verbatim, not expanded. Hosts outside the cluster domain are "
        "only reported with --assume-complete, since their ServiceEntry may live elsewhere; "
        "under REGISTRY_ONLY the finding is an error."
    ),
    remediation=(
        "Fix the host (use the full name.namespace.svc.cluster.local form across namespaces), "
        "create the Service or ServiceEntry, or export it to the VirtualService's namespace."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reveiws}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews}}]}]
""",
    since="0.1.0",
    istio=("IST0101",),
    kiali=("KIA1101",),
    check=check,
)
