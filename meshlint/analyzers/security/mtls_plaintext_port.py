"""MESH303: under STRICT, a portLevelMtls DISABLE/PERMISSIVE opens a plaintext port."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security import MtlsMode
from meshlint.model.base import Kind
from meshlint.model.security import PeerAuthentication
from meshlint.rule import Rule, RuleContext

OPEN_MODES = frozenset({"DISABLE", "PERMISSIVE"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    root = ctx.mesh.settings.root_namespace
    for policy in ctx.mesh.all(PeerAuthentication):
        namespace = ctx.mesh.namespace_of(policy)
        selector = policy.spec.selector
        # without a selector (MESH305) or in the root namespace (MESH306) it is not applied
        if namespace == root or selector is None or not selector.match_labels:
            continue
        if _inherited(ctx, policy, namespace) is not MtlsMode.STRICT:
            continue
        for port, setting in policy.spec.port_level_mtls.items():
            if setting.mode in OPEN_MODES:
                yield ctx.finding(
                    policy, f"/spec/portLevelMtls/{port}/mode", port=port, mode=setting.mode
                )


def _inherited(ctx: RuleContext, policy: PeerAuthentication, namespace: str) -> MtlsMode:
    """The workload-level mode the port entries override (4.2: UNSET inherits)."""
    mtls = policy.spec.mtls
    if mtls is not None and mtls.mode and mtls.mode != "UNSET":
        return MtlsMode(mtls.mode)
    return ctx.mesh.namespace_mtls_mode(namespace).mode


RULE = Rule(
    code="MESH303",
    name="mtls-plaintext-port",
    summary="A port-level mTLS exception opens a plaintext port on a STRICT workload",
    message="port {port} accepts plaintext ({mode}) although the workload is otherwise STRICT",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.PEER_AUTHENTICATION}),
    rationale=(
        "portLevelMtls overrides the workload mode for one container port. DISABLE or "
        "PERMISSIVE there lets clients without a certificate in, so identity-based "
        "authorization on that port sees no peer identity and the STRICT guarantee is gone "
        "for it. This is sometimes intended (health or metrics ports) and should be reviewed."
    ),
    remediation=(
        "Remove the port exception, or restrict what the plaintext port exposes (for example "
        "with an AuthorizationPolicy on ipBlocks) and suppress this finding with a reason."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: DISABLE}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: PERMISSIVE}
  portLevelMtls:
    8080: {mode: DISABLE}
""",
    since="0.1.0",
    check=check,
)
