"""MESH104: the same host, subset and port twice in one route."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import Destination, VirtualService
from meshlint.model.routes import describe, route_lists
from meshlint.rule import Rule, RuleContext

Key = tuple[str, str, int | None]


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        namespace = ctx.mesh.namespace_of(vs)
        for route in route_lists(vs):
            seen: dict[Key, str] = {}
            for index, entry in enumerate(route.entries):
                if entry.destination is None:
                    continue
                key = _key(ctx, entry.destination, namespace)
                if key in seen:
                    text = describe(entry.destination)
                    yield ctx.finding(vs, entry.pointer, destination=text, first=seen[key])
                else:
                    seen[key] = f"{index} ({describe(entry.destination)})"


def _key(ctx: RuleContext, destination: Destination, namespace: str) -> Key:
    # Short names resolve against the VirtualService's namespace; hosts compare lower-cased.
    host = ctx.mesh.fqdn(destination.host, namespace).lower()
    port = destination.port.number if destination.port is not None else None
    return (host, destination.subset or "", port)


RULE = Rule(
    code="MESH104",
    name="vs-duplicate-destination",
    summary="The same host, subset and port appear twice in one route",
    message="destination {destination} is the same as route entry {first}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Both entries send to the same Envoy cluster, so the split is not the one written: the "
        "cluster gets the sum of both weights. It is usually a copy-paste slip where a subset "
        "or host should have been changed."
    ),
    remediation=(
        "Merge the two entries into one with the combined weight, or correct the host, subset "
        "or port of the copy."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews.shop.svc.cluster.local, subset: v1}
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
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews, subset: v2}
      weight: 50
""",
    since="0.1.0",
    istio=(),
    kiali=("KIA1105",),
    check=check,
)
