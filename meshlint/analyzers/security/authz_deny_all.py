"""MESH311: an ALLOW AuthorizationPolicy without rules denies every request."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import is_dry_run
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        # 5.4: ALLOW with no rules installs a never-matching policy -> deny all
        spec = policy.spec
        if spec.effective_action == "ALLOW" and not spec.rules and not is_dry_run(policy):
            pointer = "/spec/rules" if spec.rules is not None else "/spec"
            yield ctx.finding(policy, pointer, key=pointer == "/spec/rules")


RULE = Rule(
    code="MESH311",
    name="authz-deny-all",
    summary="An ALLOW policy with no rules denies every request to the selected workloads",
    message="{resource} is an ALLOW policy without rules: it denies every request in its scope",
    severity=Severity.INFO,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY}),
    rationale=(
        "An ALLOW policy that applies to a workload makes everything not matched by some ALLOW "
        "rule denied. With no rules nothing matches, so every request in scope is denied "
        "unless another ALLOW policy allows it. This is the documented deny-by-default "
        "pattern, reported for information so an accidental one is noticed."
    ),
    remediation=(
        "Keep it if default-deny is intended and add ALLOW policies for the permitted calls; "
        "otherwise add rules or delete the policy."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-get, namespace: shop}
spec:
  rules: [{to: [{operation: {methods: [GET]}}]}]
""",
    since="0.1.0",
    check=check,
)
