"""Policies as catalogue entries: a meshlint Rule (check=None) built from each policy's METADATA."""

from __future__ import annotations

from meshlint.findings import Severity
from meshlint.model.base import Kind
from meshlint.policy.loader import Policy
from meshlint.policy.runner import POLICY_ERROR_CODE, POLICY_ERROR_NAME
from meshlint.rule import Rule, Status

# by kind name, first declared wins: a policy's "Gateway" is Istio's, not the Gateway API's
_KINDS = {kind.kind_name: kind for kind in reversed(Kind)}

POLICY_ERROR_RULE = Rule(
    code=POLICY_ERROR_CODE,
    name=POLICY_ERROR_NAME,
    summary="A Rego policy failed to load, crashed or timed out; the other rules still run",
    message="{message}",
    severity=Severity.ERROR,
    kinds=frozenset(),
    rationale=(
        "A policy that cannot run checks nothing; reporting it keeps a broken policy from "
        "passing silently, and isolating it keeps the rest of the run useful."
    ),
    remediation="Fix the policy at the reported line, or run `meshlint policy test` on its folder.",
    example_bad="",
    example_good="",
    since="0.1.0",
)


def policy_rule(policy: Policy) -> Rule:
    """The catalogue entry for ``policy``: code, name, severity and docs from its METADATA."""
    meta = policy.meta
    severity = meta.severity or _default_severity(policy)
    return Rule(
        code=policy.code,
        name=policy.name,
        summary=(meta.title or f"Rego policy {policy.package}").rstrip("."),
        message="{message}",
        severity=severity,
        kinds=frozenset(_KINDS[name] for name in meta.kinds if name in _KINDS),
        rationale=meta.description,
        remediation=meta.remediation,
        example_bad="",
        example_good="",
        since=str(meta.custom.get("since", "0.1.0")),
        status=Status.STABLE,
        references=(policy.path,),
    )


def _default_severity(policy: Policy) -> Severity:
    if all(rule.startswith("warn") for rule in policy.rules):
        return Severity.WARNING
    return Severity.ERROR
