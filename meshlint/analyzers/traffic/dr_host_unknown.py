"""MESH203: a DestinationRule host that matches no Service or ServiceEntry."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh import Mesh
from meshlint.mesh.traffic_queries import dr_host
from meshlint.model.base import Kind
from meshlint.model.networking import DestinationRule
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for rule in ctx.mesh.all(DestinationRule):
        host = dr_host(ctx.mesh, rule)
        if host and not _defined(ctx.mesh, host) and _surely_missing(ctx.mesh, host):
            yield ctx.finding(
                rule, "/spec/host", host=rule.spec.host, hint=_hint(ctx.mesh, rule.spec.host, host)
            )


def _hint(mesh: Mesh, written: str, host: str) -> str:
    """Short names resolve in the DR's namespace; ``name.ns`` / ``name.ns.svc`` are used
    verbatim, not expanded (2.3): say which name Istio looked for."""
    if "." not in written and written != "*":
        return f" (a short name resolves in the DestinationRule's namespace: {host})"
    namespace = mesh.host_namespace(host, partial=True)
    if namespace is None or mesh.host_namespace(host) is not None:
        return ""
    fqdn = f"{host.partition('.')[0]}.{namespace}.svc.{mesh.settings.domain_suffix}"
    if not mesh.services_for_host(fqdn):
        return ""
    return f" (a name with a dot is not expanded: did you mean {fqdn}?)"


def _defined(mesh: Mesh, host: str) -> bool:
    """A registry service with that host (a wildcard DR host: any service it covers), or a
    wildcard ServiceEntry covering it."""
    return bool(mesh.services_for_host(host) or mesh.wildcard_entries_for(host))


def _surely_missing(mesh: Mesh, host: str) -> bool:
    """Offline precision (SPEC §1): ``name.ns[.svc[.suffix]]`` is missing only when ``ns`` is
    in the input; any other name could be a ServiceEntry elsewhere."""
    namespace = mesh.host_namespace(host, partial=True)
    if namespace is not None:
        return mesh.namespace_known(namespace)
    return mesh.settings.assume_complete


RULE = Rule(
    code="MESH203",
    name="dr-host-unknown",
    summary="A DestinationRule host matches no Service or ServiceEntry",
    message="host {host} matches no Service or ServiceEntry{hint}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.DESTINATION_RULE, Kind.SERVICE, Kind.SERVICE_ENTRY}),
    rationale=(
        "A DestinationRule applies to the clusters of a registry service. When its host is "
        "neither a Kubernetes Service nor a ServiceEntry host, no cluster uses it and its "
        "subsets and traffic policy have no effect, usually because of a typo or a host "
        "written in the wrong namespace (short names resolve against the DestinationRule's "
        "namespace)."
    ),
    remediation=(
        "Correct the host (use the full name, for example reviews.shop.svc.cluster.local), or "
        "add the missing Service or ServiceEntry."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: review
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
""",
    since="0.1.0",
    istio=("IST0174",),
    check=check,
)
