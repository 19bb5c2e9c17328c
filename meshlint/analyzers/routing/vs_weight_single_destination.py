"""MESH102: a single destination with an explicit weight other than 100 (it is ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from meshlint.findings import Finding, Fix, FixOp, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import route_lists
from meshlint.rule import Rule, RuleContext

FULL_WEIGHT = 100


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for route in route_lists(vs):
            if len(route.entries) != 1 or not route.valid_weights:
                continue
            entry = route.entries[0]
            # applyHTTPRouteDestination: a lone destination becomes a plain cluster, 100%
            if entry.weight is not None and entry.weight != FULL_WEIGHT:
                pointer = f"{entry.pointer}/weight"
                fix = Fix(FixOp.DELETE, pointer, summary="remove the ignored weight")
                yield replace(ctx.finding(vs, pointer, weight=entry.weight), fix=fix)


RULE = Rule(
    code="MESH102",
    name="vs-weight-single-destination",
    summary="A single destination with a weight other than 100, which Istio ignores",
    message="weight {weight} on the only destination is ignored: it receives 100% of the route",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "A route with one destination is sent to that destination as a plain cluster: the "
        "weight is never read. A weight of 50 (or 0) suggests a split or a switch-off that "
        "does not happen; the destination receives all the traffic of the route."
    ),
    remediation=(
        "Remove the weight, set it to 100, or add the other destinations the split was "
        "meant to have."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
      weight: 50
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
""",
    since="0.1.0",
    istio=(),
    kiali=("KIA1104",),
    check=check,
)
