"""MESH305: portLevelMtls on a PeerAuthentication without a selector, or a bad port key."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.security import PeerAuthentication
from meshlint.rule import Rule, RuleContext

MAX_PORT = 65535


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(PeerAuthentication):
        ports = policy.spec.port_level_mtls
        if not ports:
            continue  # `portLevelMtls: {}` is a schema error (MESH004)
        selector = policy.spec.selector
        if selector is None or not selector.match_labels:
            yield ctx.finding(
                policy,
                "/spec/portLevelMtls",
                key=True,
                problem="portLevelMtls needs a selector with matchLabels (namespace and mesh "
                "policies cannot have port-level mTLS)",
            )
        for port in ports:
            if not 1 <= port <= MAX_PORT:
                yield ctx.finding(
                    policy,
                    f"/spec/portLevelMtls/{port}",
                    key=True,
                    problem=f"portLevelMtls port {port} is outside 1..{MAX_PORT}",
                )


RULE = Rule(
    code="MESH305",
    name="pa-port-level-without-selector",
    summary="A PeerAuthentication has port-level mTLS but no workload selector",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.PEER_AUTHENTICATION}),
    rationale=(
        "Port keys are workload container ports, so they only make sense for selected "
        "workloads. Istio's webhook rejects a mesh or namespace PeerAuthentication with "
        "portLevelMtls (and any port outside 1..65535), so the policy is never applied."
    ),
    remediation=(
        "Add a selector with matchLabels for the workloads whose ports you mean, or move the "
        "port exceptions into a workload-level PeerAuthentication."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: PERMISSIVE}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: PERMISSIVE}
""",
    since="0.1.0",
    check=check,
)
