"""MESH126: a mirror that copies requests to the route's own destination."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import Destination, HTTPRoute, VirtualService
from meshlint.model.routes import describe
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        namespace = ctx.mesh.namespace_of(vs)
        for index, route in enumerate(vs.spec.http):
            base = f"/spec/http/{index}"
            for pointer, mirror in _mirrors(route, base):
                same = _duplicated(ctx, namespace, route, mirror)
                if same is not None:
                    target = f"{base}/route/{same}/destination"
                    yield ctx.finding(
                        vs,
                        pointer,
                        related=[(vs, target, "the route destination")],
                        mirror=describe(mirror),
                    )


def _mirrors(route: HTTPRoute, base: str) -> Iterator[tuple[str, Destination]]:
    if route.mirror is not None:
        yield f"{base}/mirror", route.mirror
    for i, policy in enumerate(route.mirrors):
        if policy.destination is not None:
            yield f"{base}/mirrors/{i}/destination", policy.destination


def _duplicated(
    ctx: RuleContext, namespace: str, route: HTTPRoute, mirror: Destination
) -> int | None:
    """The index of a route destination the mirror duplicates: same FQDN host and subset,
    and the same port as written (conservative: an omitted port may differ)."""
    wanted = _key(ctx, namespace, mirror)
    for i, entry in enumerate(route.route):
        if entry.destination is not None and _key(ctx, namespace, entry.destination) == wanted:
            return i
    return None


def _key(ctx: RuleContext, namespace: str, dest: Destination) -> tuple[str, str, int | None]:
    port = dest.port.number if dest.port is not None and dest.port.number else None
    return ctx.mesh.fqdn(dest.host, namespace).lower(), dest.subset or "", port


RULE = Rule(
    code="MESH126",
    name="vs-mirror-invalid",
    summary="A mirror copies requests to the route's own destination",
    message=(
        "the mirror {mirror} is also a destination of this route: it receives each mirrored "
        "request twice"
    ),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Mirroring sends a fire-and-forget copy of each request to a second destination, "
        "usually a new version under test. Mirroring to a destination the route already "
        "sends the request to makes that backend process the request twice (side effects "
        "included) and tests nothing. Mirrors to unknown hosts or subsets are reported by "
        "MESH121 and MESH120."
    ),
    remediation="Mirror to the version under test (another subset or host), or remove the mirror.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews.shop.svc.cluster.local, subset: v1}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews, subset: v2}
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
