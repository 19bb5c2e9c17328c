"""MESH306: a PeerAuthentication with a selector in the root namespace is ignored."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.security import PeerAuthentication
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    root = ctx.mesh.settings.root_namespace
    for policy in ctx.mesh.all(PeerAuthentication):
        selector = policy.spec.selector
        # 4.2: the root namespace only holds the mesh-level (selector-less) policy
        if ctx.mesh.namespace_of(policy) == root and selector is not None and selector.match_labels:
            yield ctx.finding(policy, "/spec/selector", key=True, root=root)


RULE = Rule(
    code="MESH306",
    name="pa-root-selector-ignored",
    summary="A PeerAuthentication with a selector in the root namespace is ignored",
    message=("{resource} has a selector but lives in the root namespace {root}: Istio ignores it"),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.PEER_AUTHENTICATION}),
    rationale=(
        "In the root namespace only a PeerAuthentication without a selector counts, as the "
        "mesh-wide policy. One with a selector is neither mesh nor workload level, and istiod "
        "drops it: the workloads it names keep their namespace or mesh mode."
    ),
    remediation=(
        "Move the policy into the namespace of the workloads it selects, or remove the "
        "selector to make it the mesh-wide policy."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: istio-system}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
""",
    since="0.1.0",
    check=check,
)
