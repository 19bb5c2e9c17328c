"""MESH128: a gateway route without subset to a host the sidecars' VirtualService splits."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY
from meshlint.mesh.routing_queries import subset_routing_hosts
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import destinations
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    split = subset_routing_hosts(ctx.mesh)
    if not split:
        return
    for vs in ctx.mesh.all(VirtualService):
        bound = ctx.mesh.bound(vs)
        if not bound.gateways - {MESH_GATEWAY}:
            continue  # sidecar-only: the subset routing applies to it
        for ref in destinations(vs):
            host = ctx.mesh.fqdn(ref.destination.host, bound.namespace).lower()
            mesh_vs = split.get(host)
            if ref.mirror or ref.destination.subset or mesh_vs is None or mesh_vs is bound:
                continue
            name = f"VirtualService {mesh_vs.namespace}/{mesh_vs.resource.name}"
            yield ctx.finding(
                vs,
                f"{ref.pointer}/host",
                related=[(mesh_vs.resource, "", name)],
                host=ref.destination.host,
                other=name,
            )


RULE = Rule(
    code="MESH128",
    name="vs-ingress-bypasses-subsets",
    summary="A gateway route to a host without subset bypasses the mesh's subset routing",
    message=(
        "gateway traffic to {host} goes to every version: {other} splits it by subsets, "
        "but only for sidecars"
    ),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "A gateway routes with the VirtualServices bound to it; the VirtualService that "
        "splits a service by subsets for the sidecars does not apply there. A gateway route "
        "to the bare host therefore sends ingress traffic to all versions of the service, "
        "ignoring the canary or pinning the mesh routes set up."
    ),
    remediation=(
        "Route the gateway VirtualService to the same subsets, or bind the subset-routing "
        "VirtualService to the gateway too."
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
metadata: {name: edge, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: reviews}}]}]
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
metadata: {name: edge, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
""",
    since="0.1.0",
    istio=("IST0140",),
    kiali=(),
    check=check,
)
