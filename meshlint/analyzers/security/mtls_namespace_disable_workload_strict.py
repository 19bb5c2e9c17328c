"""MESH304: namespace (or mesh) DISABLE with a workload-level STRICT PeerAuthentication."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security import MtlsMode
from meshlint.model.base import Kind
from meshlint.model.security import PeerAuthentication
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    root = ctx.mesh.settings.root_namespace
    for policy in ctx.mesh.all(PeerAuthentication):
        namespace = ctx.mesh.namespace_of(policy)
        selector = policy.spec.selector
        if namespace == root or selector is None or not selector.match_labels:
            continue
        estimate = ctx.mesh.namespace_mtls_mode(namespace)
        if estimate.mode is not MtlsMode.DISABLE or estimate.policy is None:
            continue
        related = [(estimate.policy, "/spec/mtls/mode", f"{estimate.level} level DISABLE")]
        for pointer in _strict_pointers(policy):
            yield ctx.finding(policy, pointer, related=related, level=str(estimate.level))


def _strict_pointers(policy: PeerAuthentication) -> Iterator[str]:
    mtls = policy.spec.mtls
    if mtls is not None and mtls.mode == "STRICT":
        yield "/spec/mtls/mode"
    for port, setting in policy.spec.port_level_mtls.items():
        if setting.mode == "STRICT":
            yield f"/spec/portLevelMtls/{port}/mode"


RULE = Rule(
    code="MESH304",
    name="mtls-namespace-disable-workload-strict",
    summary="A workload requires mTLS while its namespace or the mesh disables it",
    message=(
        "STRICT here, but mTLS is disabled at {level} level: auto mTLS sends plaintext to the "
        "whole service and the workload rejects it"
    ),
    severity=Severity.ERROR,
    kinds=frozenset({Kind.PEER_AUTHENTICATION}),
    rationale=(
        "Auto mTLS estimates a service's mode from the mesh and namespace PeerAuthentication "
        "only. When that is DISABLE, clients send plaintext to every endpoint of the service; "
        "the per-endpoint check can only turn mTLS off, never on. A workload-level STRICT "
        "policy then rejects every in-mesh caller."
    ),
    remediation=(
        "Do not disable mTLS at namespace or mesh level for namespaces with STRICT workloads, "
        "or add a DestinationRule with tls mode ISTIO_MUTUAL for the affected services."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
---
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
