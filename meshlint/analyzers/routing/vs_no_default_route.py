"""MESH112: a VirtualService used by sidecars where some requests match no rule (404)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.routing_queries import unrouted_request
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        witness = unrouted_request(ctx.mesh, vs)
        if witness is None:
            continue
        yield ctx.finding(
            vs,
            "/spec/http",
            key=True,
            extra=(("witness", witness.to_dict()),),
            request=witness.render(),
        )


RULE = Rule(
    code="MESH112",
    name="vs-no-default-route",
    summary="Some requests to a host match no rule of its VirtualService and get 404",
    message="requests such as {request} match no rule and get 404 from the sidecar",
    severity=Severity.WARNING,
    # listener ports come from the Service / ServiceEntry when a match names a port
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.SERVICE, Kind.SERVICE_ENTRY}),
    rationale=(
        "Once a VirtualService claims a host for the sidecars, its rules are the whole route "
        "table for that host: a request that matches none of them gets 404 from Envoy. There "
        "is no fall-through to the service's default route. A last rule without match (or "
        "with prefix /) avoids it. Gateway-only VirtualServices often expose a few paths on "
        "purpose and are not reported."
    ),
    remediation="Add a last rule without match that routes to the default destination.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
""",
    since="0.1.0",
    istio=(),
    kiali=(),
    check=check,
)
