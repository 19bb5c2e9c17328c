"""MESH317: a RequestAuthentication whose tokens no authorization policy requires (5.6)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import WORKLOAD_KINDS, is_dry_run, policy_workloads
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy, RequestAuthentication
from meshlint.model.security import Rule as AuthzRule
from meshlint.rule import Rule, RuleContext

TOKEN_KEYS = ("request.auth.",)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for authn in ctx.mesh.all(RequestAuthentication):
        spec = authn.spec
        if not spec.jwt_rules or spec.target_ref is not None or spec.target_refs:
            continue
        if any(not any(_enforces(p) for p in group) for group in _policy_groups(ctx, authn)):
            yield ctx.finding(authn, "/spec/jwtRules", key=True)


def _policy_groups(
    ctx: RuleContext, authn: RequestAuthentication
) -> Iterable[Iterable[AuthorizationPolicy]]:
    """The policies on each workload it selects; with none in the input, one group of every
    policy in its namespace and the root namespace (the conservative reading)."""
    workloads = policy_workloads(ctx.mesh, authn)
    if workloads:
        return [ctx.mesh.policies_for_workload(w) for w in workloads]
    scope = {ctx.mesh.namespace_of(authn), ctx.mesh.settings.root_namespace}
    return [[p for p in ctx.mesh.all(AuthorizationPolicy) if ctx.mesh.namespace_of(p) in scope]]


def _enforces(policy: AuthorizationPolicy) -> bool:
    """ALLOW requiring a request principal or claim, DENY on notRequestPrincipals, or CUSTOM
    (the external authorizer may check the token)."""
    action = policy.spec.effective_action
    if is_dry_run(policy) or action == "AUDIT":
        return False
    if action == "CUSTOM":
        return True
    rules = policy.spec.rules or ()
    if action == "ALLOW":
        return any(_requires_token(rule) for rule in rules)
    return any(_denies_missing_token(rule) for rule in rules)


def _requires_token(rule: AuthzRule) -> bool:
    sources = [f.source for f in rule.from_ or () if f.source is not None]
    if any(s.request_principals for s in sources):
        return True
    return any(c.key.startswith(TOKEN_KEYS) and c.values for c in rule.when)


def _denies_missing_token(rule: AuthzRule) -> bool:
    sources = [f.source for f in rule.from_ or () if f.source is not None]
    if any(s.not_request_principals for s in sources):
        return True
    return any(c.key.startswith(TOKEN_KEYS) and c.not_values for c in rule.when)


RULE = Rule(
    code="MESH317",
    name="jwt-not-enforced",
    summary="A RequestAuthentication is not backed by a policy that requires a token",
    message=(
        "{resource} validates JWTs, but no AuthorizationPolicy requires a request principal: "
        "requests without a token pass"
    ),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.REQUEST_AUTHENTICATION, Kind.AUTHORIZATION_POLICY, *WORKLOAD_KINDS}),
    rationale=(
        "RequestAuthentication only rejects invalid tokens: a request with no token passes "
        "authentication with no request principal. Unless an ALLOW policy requires "
        "requestPrincipals (or a DENY policy rejects notRequestPrincipals: ['*']), anonymous "
        "requests reach the workload."
    ),
    remediation=(
        "Add an ALLOW AuthorizationPolicy with from.source.requestPrincipals: ['*'] (or a DENY "
        "with notRequestPrincipals: ['*']) for the same workloads."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  jwtRules: [{issuer: https://issuer.example.com}]
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  jwtRules: [{issuer: https://issuer.example.com}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
""",
    since="0.1.0",
    check=check,
)
