"""MESH101: a route with two or more destinations whose weights add up to 0."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import route_lists
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for route in route_lists(vs):
            # validateHTTPRouteDestinations / validateRouteDestinations: an omitted weight is 0
            total = sum(entry.weight or 0 for entry in route.entries)
            if len(route.entries) > 1 and total == 0 and route.valid_weights:
                yield ctx.finding(vs, route.pointer, count=len(route.entries))


RULE = Rule(
    code="MESH101",
    name="vs-weight-total-zero",
    summary="A route with several destinations whose weights add up to 0",
    message="the {count} destinations of this route have a total weight of 0; Istio rejects it",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "With two or more destinations Istio turns the weights into a weighted cluster set, "
        "and an omitted weight counts as 0. When the total is 0 istiod rejects the "
        'VirtualService ("total destination weight = 0"), so none of its routes apply.'
    ),
    remediation="Give at least one destination a positive weight, or keep a single destination.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
    - destination: {host: reviews, subset: v2}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
