"""MESH132: routing on ``@request.auth.claims`` at a gateway with no RequestAuthentication."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY
from meshlint.mesh import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.rule import Rule, RuleContext
from meshlint.source import join_pointer

CLAIM_PREFIX = "@request.auth.claims"
WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
)


def claim_key(vs: VirtualService) -> tuple[str, str] | None:
    """(pointer, key) of the first JWT-claim header key in a match, if any."""
    for i, route in enumerate(vs.spec.http):
        for j, match in enumerate(route.match):
            for field, items in (
                ("headers", match.headers),
                ("withoutHeaders", match.without_headers),
            ):
                key = next((k for k in items if k.startswith(CLAIM_PREFIX)), None)
                if key is not None:
                    return join_pointer(f"/spec/http/{i}/match/{j}", field, key), key
    return None


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.mesh.namespace_known(ctx.mesh.settings.root_namespace):
        return  # a mesh-wide RequestAuthentication could live there (SPEC §1)
    for vs in ctx.mesh.all(VirtualService):
        found = claim_key(vs)
        if found is None:
            continue
        pointer, key = found
        for ref in vs.spec.gateways:
            gateway = ctx.mesh.gateway(ctx.mesh.resolve_gateway_ref(vs, ref))
            if ref == MESH_GATEWAY or gateway is None:
                continue  # missing Gateways are MESH123's business
            bare = [w for w in ctx.mesh.gateway_workloads(gateway) if not _authenticated(ctx, w)]
            if bare:
                yield ctx.finding(
                    vs,
                    pointer,
                    key=True,
                    claim=key,
                    gateway=ctx.mesh.resolve_gateway_ref(vs, ref),
                    pods=", ".join(sorted(f"{w.namespace}/{w.name}" for w in bare)),
                )


def _authenticated(ctx: RuleContext, workload: WorkloadInfo) -> bool:
    return bool(ctx.mesh.request_authentications_for_workload(workload))


RULE = Rule(
    code="MESH132",
    name="vs-jwt-claim-route-unauthenticated",
    summary="Routes on JWT claims at a gateway that no RequestAuthentication covers",
    message=(
        "routes on {claim} through gateway {gateway}, but no RequestAuthentication applies to "
        "its pods ({pods}): the claim is never set and the match never holds"
    ),
    severity=Severity.WARNING,
    kinds=frozenset(
        {Kind.VIRTUAL_SERVICE, Kind.GATEWAY, Kind.REQUEST_AUTHENTICATION, *WORKLOAD_KINDS}
    ),
    rationale=(
        "@request.auth.claims matches read the claims the JWT filter stores after it "
        "validates a token. Without a RequestAuthentication on the gateway pods there is no "
        "JWT filter, so the claims are always empty: header matches on them never hold and "
        "withoutHeaders matches always do."
    ),
    remediation=(
        "Add a RequestAuthentication selecting the gateway pods (in their namespace or the "
        "root namespace) for the token issuer."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: istio-system}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http:
  - match: [{headers: {"@request.auth.claims.group": {exact: beta}}}]
    route: [{destination: {host: shop-beta.shop.svc.cluster.local}}]
  - route: [{destination: {host: shop.shop.svc.cluster.local}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules: [{issuer: https://auth.example.com}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: istio-system}
spec:
  hosts: [shop.example.com]
  gateways: [public]
  http:
  - match: [{headers: {"@request.auth.claims.group": {exact: beta}}}]
    route: [{destination: {host: shop-beta.shop.svc.cluster.local}}]
  - route: [{destination: {host: shop.shop.svc.cluster.local}}]
""",
    since="0.1.0",
    istio=("IST0149",),
    kiali=(),
    check=check,
)
