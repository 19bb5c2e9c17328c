"""MESH103: weights of several destinations that do not add up to 100 (they are relative)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import RouteList, WeightedDestination, describe, route_lists
from meshlint.rule import Rule, RuleContext

PERCENT = 100


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for route in route_lists(vs):
            total = _total(route)
            # a zero total is MESH101 (rejected); one destination ignores its weight (MESH102)
            if len(route.entries) > 1 and total not in (0, PERCENT) and route.valid_weights:
                yield ctx.finding(vs, route.pointer, total=total, split=effective_split(route))


def _total(route: RouteList) -> int:
    return sum(entry.weight or 0 for entry in route.entries)


def effective_split(route: RouteList) -> str:
    """``reviews v1 77.8%, reviews v2 22.2%``: weight-0 destinations are dropped by istiod."""
    total = _total(route)
    shares = [f"{_label(e)} {100 * e.weight / total:.1f}%" for e in route.entries if e.weight]
    dropped = [_label(e) for e in route.entries if not e.weight]
    text = ", ".join(shares)
    return f"{text} (dropped: {', '.join(dropped)})" if dropped else text


def _label(entry: WeightedDestination) -> str:
    return describe(entry.destination) if entry.destination is not None else "(no destination)"


RULE = Rule(
    code="MESH103",
    name="vs-weight-sum",
    summary="Destination weights that do not add up to 100 and are therefore relative",
    message="weights sum to {total}; effective split: {split}",
    severity=Severity.INFO,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Istio accepts any total and divides each weight by the sum (destinations with weight "
        "0 are dropped), so 70/20 sends 77.8% and 22.2%, not 70% and 20%. Weights that were "
        "meant as percentages but do not add up to 100 give a different split than the one "
        "the author had in mind. Istio releases before relative weights rejected such routes."
    ),
    remediation="Make the weights add up to 100 so that each weight is the percentage it gets.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 70
    - destination: {host: reviews, subset: v2}
      weight: 20
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
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 20
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
