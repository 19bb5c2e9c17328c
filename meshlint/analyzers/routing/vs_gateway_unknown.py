"""MESH123: ``gateways`` (top level or in a match) names a Gateway that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY, split_ref
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.model.routes import SECTIONS
from meshlint.rule import Rule, RuleContext

_GATEWAY_KINDS = (Kind.GATEWAY, Kind.K8S_GATEWAY)


def gateway_refs(vs: VirtualService) -> Iterator[tuple[str, str]]:
    """(pointer, entry) for ``spec.gateways`` and every match's ``gateways``."""
    for index, ref in enumerate(vs.spec.gateways):
        yield f"/spec/gateways/{index}", ref
    for section in SECTIONS:
        for i, rule in enumerate(getattr(vs.spec, section)):
            for j, match in enumerate(rule.match):
                for k, ref in enumerate(match.gateways):
                    yield f"/spec/{section}/{i}/match/{j}/gateways/{k}", ref


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for pointer, ref in gateway_refs(vs):
            if ref == MESH_GATEWAY:
                continue
            resolved = ctx.mesh.resolve_gateway_ref(vs, ref)  # name, ns/name or legacy FQDN
            namespace, name = split_ref(resolved)
            if not ctx.mesh.namespace_known(namespace):
                continue  # a partial view: the namespace is unknown, not empty (SPEC §1)
            # Istio binds ``ns/name`` to an Istio Gateway or to a Gateway API Gateway of that
            # namespace/name; exists() is group-precise and counts objects that failed to build
            # or that meshlint does not model (e.g. an unserved Gateway API version)
            if not any(ctx.mesh.exists(kind, namespace, name) for kind in _GATEWAY_KINDS):
                yield ctx.finding(vs, pointer, gateway=resolved)


RULE = Rule(
    code="MESH123",
    name="vs-gateway-unknown",
    summary="A VirtualService names a Gateway that does not exist",
    message="gateway {gateway} is not defined",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.VIRTUAL_SERVICE, Kind.GATEWAY, Kind.K8S_GATEWAY}),
    rationale=(
        "Istio accepts the binding without complaint, but no gateway proxy picks up the "
        "routes, so requests for the hosts get 404 at the ingress. A bare name refers to a "
        "Gateway in the VirtualService's own namespace, which is a common slip when the "
        "Gateway lives in istio-system."
    ),
    remediation="Create the Gateway, or fix the namespace/name in gateways.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews.example.com]
  gateways: [shop/internal]
  http: [{route: [{destination: {host: reviews}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  gateways: [mesh]
  http: [{route: [{destination: {host: reviews}}]}]
""",
    since="0.1.0",
    # istioctl's GatewayAnalyzer reports IST0132 too when the Gateway is missing
    istio=("IST0101", "IST0132"),
    kiali=("KIA1102",),
    check=check,
)
