"""MESH316: a CUSTOM policy without a provider, or with one the mesh config does not define."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.rule import Rule, RuleContext

MISSING = "CUSTOM action without provider.name: Istio rejects the policy"
UNKNOWN = (
    "CUSTOM provider {} is not in the mesh config's extensionProviders ({}): the policy's "
    "rules deny every matching request"
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    providers = ctx.mesh.settings.extension_providers
    for policy in ctx.mesh.all(AuthorizationPolicy):
        if policy.spec.action != "CUSTOM":
            continue
        provider = policy.spec.provider
        if provider is None or not provider.name:
            # 5.1: the webhook rejects CUSTOM rules without provider.name
            pointer = "/spec/provider" if provider is not None else "/spec/action"
            yield ctx.finding(policy, pointer, problem=MISSING)
        elif providers is not None and provider.name not in providers:
            known = ", ".join(providers) or "none"
            yield ctx.finding(
                policy, "/spec/provider/name", problem=UNKNOWN.format(provider.name, known)
            )


RULE = Rule(
    code="MESH316",
    name="authz-custom-provider",
    summary="A CUSTOM AuthorizationPolicy has no provider, or one the mesh config lacks",
    message="{problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY}),
    rationale=(
        "A CUSTOM policy delegates to an external authorizer named by provider.name; without "
        "one the webhook rejects the policy. "
        "The webhook does not check provider names. At runtime istiod turns the rules of a "
        "CUSTOM policy whose provider is not in meshConfig.extensionProviders into DENY rules, "
        "so every request they match is rejected. Provider names are checked only when a mesh "
        "config is given."
    ),
    remediation=(
        "Define the provider under meshConfig.extensionProviders, or fix the name in "
        "spec.provider.name."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: shop}
spec:
  action: CUSTOM
  rules: [{to: [{operation: {paths: [/admin/*]}}]}]
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: shop}
spec:
  action: CUSTOM
  provider: {name: opa}
  rules: [{to: [{operation: {paths: [/admin/*]}}]}]
""",
    since="0.1.0",
    check=check,
)
