"""MESH312: an ALLOW rule with no conditions allows every request."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import is_dry_run
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        if policy.spec.effective_action != "ALLOW" or is_dry_run(policy):
            continue
        for index, rule in enumerate(policy.spec.rules or ()):
            # `from: []` / `to: []` are webhook errors (schema), not "no condition"
            if rule.from_ is None and rule.to is None and not rule.when:
                yield ctx.finding(policy, f"/spec/rules/{index}")


RULE = Rule(
    code="MESH312",
    name="authz-allow-all",
    summary="An ALLOW rule with no conditions allows every request",
    message="{resource} has an ALLOW rule with no from, to or when: it allows every request",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY}),
    rationale=(
        "A rule matches when all its conditions match, so a rule with none matches every "
        "request. In an ALLOW policy it allows everything in scope and cancels any "
        "deny-by-default policy for those workloads (only DENY policies still apply)."
    ),
    remediation="Add from/to/when conditions to the rule, or delete the policy.",
    example_bad="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  rules: [{}]
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-shop, namespace: shop}
spec:
  rules: [{from: [{source: {namespaces: [shop]}}]}]
""",
    since="0.1.0",
    check=check,
)
