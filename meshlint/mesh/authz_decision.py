"""Combining AuthorizationPolicies for one request: CUSTOM, then DENY, then ALLOW (5.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meshlint.mesh.authz_eval import AuthzRequest, RuleVerdict, evaluate_rule
from meshlint.model.security import AuthorizationPolicy


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    policy: AuthorizationPolicy
    namespace: str
    action: str
    rules: tuple[RuleVerdict, ...]

    @property
    def matched(self) -> RuleVerdict | None:
        return next((r for r in self.rules if r.matched), None)


def evaluate_policy(
    policy: AuthorizationPolicy, request: AuthzRequest, owner: str
) -> PolicyVerdict:
    """Every rule of one policy; ``rules`` absent (``spec: {}``) matches nothing (5.4)."""
    action = str(policy.spec.effective_action)
    verdicts = tuple(
        evaluate_rule(rule, i, request, action=action, owner=owner)
        for i, rule in enumerate(policy.spec.rules or ())
    )
    return PolicyVerdict(policy, owner, action, verdicts)


@dataclass(frozen=True, slots=True)
class AuthzDecision:
    """CUSTOM, then DENY, then ALLOW (5.4): the outcome and the policy and rule that decided.

    ``custom`` names the ext_authz providers a matching CUSTOM rule hands the request to:
    their answer is unknown offline, so the decision is the one they would let through.
    """

    allowed: bool
    reason: str
    policy: AuthorizationPolicy | None = None
    rule: int | None = None
    policies: tuple[PolicyVerdict, ...] = ()
    custom: tuple[str, ...] = ()


def decide(
    policies: Sequence[tuple[AuthorizationPolicy, str]], request: AuthzRequest
) -> AuthzDecision:
    """``policies`` are (policy, its namespace) enforced on the workload; dry-run ones are
    evaluated by the caller for display only and must not be passed here."""
    verdicts = tuple(evaluate_policy(p, request, ns) for p, ns in policies)
    custom = tuple(
        v.policy.spec.provider.name if v.policy.spec.provider else ""
        for v in verdicts
        if v.action == "CUSTOM" and v.matched is not None
    )
    for verdict in verdicts:
        hit = verdict.matched
        if verdict.action == "DENY" and hit is not None:
            reason = f"denied by DENY {_name(verdict)} rule {hit.index}"
            return AuthzDecision(False, reason, verdict.policy, hit.index, verdicts, custom)
    allows = [v for v in verdicts if v.action == "ALLOW"]
    if not allows:
        return AuthzDecision(True, "allowed: no ALLOW policy applies", None, None, verdicts, custom)
    for verdict in allows:
        hit = verdict.matched
        if hit is not None:
            reason = f"allowed by {_name(verdict)} rule {hit.index}"
            return AuthzDecision(True, reason, verdict.policy, hit.index, verdicts, custom)
    closest = next((v for v in allows if v.rules), allows[0])
    names = ", ".join(_name(v) for v in allows)
    reason = f"denied: no ALLOW rule matched ({names})"
    return AuthzDecision(False, reason, closest.policy, None, verdicts, custom)


def _name(verdict: PolicyVerdict) -> str:
    return f"AuthorizationPolicy {verdict.namespace}/{verdict.policy.name}"
