"""MESH125: several VirtualServices claim one host for the sidecars; only one applies."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.routing_queries import HostClaim, host_conflicts
from meshlint.model.base import Kind
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for conflict in host_conflicts(ctx.mesh):
        claim = conflict.claim
        names = [_name(o, claim.host) for o in conflict.others]
        related = [
            (o.bound.resource, f"/spec/hosts/{o.index}", name)
            for o, name in zip(conflict.others, names, strict=True)
        ]
        yield ctx.finding(
            claim.bound.resource,
            f"/spec/hosts/{claim.index}",
            related=related,
            host=claim.host,
            others=", ".join(names),
        )


def _name(other: HostClaim, host: str) -> str:
    """``VirtualService ns/name``, with its host when it only overlaps ``host``."""
    bound = other.bound
    text = f"VirtualService {bound.namespace}/{bound.resource.name}"
    return text if other.host == host else f"{text} (as {other.host})"


RULE = Rule(
    code="MESH125",
    name="vs-host-conflict",
    summary="Several VirtualServices claim one host for the sidecars",
    message="host {host} is also claimed for the sidecars by {others}; only one applies",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Sidecars never merge VirtualServices: for each host the first VirtualService in "
        "Istio's order (private to the namespace, exported to it, then public; oldest first) "
        "builds the routes and the others are ignored for that host. Which one wins depends "
        "on creation times, so the result differs between clusters. Only VirtualServices "
        "visible in a common namespace (exportTo) conflict."
    ),
    remediation=(
        "Merge the routes into one VirtualService per host, or restrict exportTo so that no "
        "namespace sees both."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-canary, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-edge, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  gateways: [shop/public]
  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
""",
    since="0.1.0",
    istio=("IST0109",),
    kiali=("KIA1106",),
    check=check,
)
