"""Policies as catalogue entries: a meshlint Rule (check=None) built from each policy's METADATA."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from meshlint.findings import Severity
from meshlint.model.base import Kind
from meshlint.policy.loader import Policy
from meshlint.policy.runner import POLICY_ERROR_CODE, POLICY_ERROR_NAME
from meshlint.rule import DOCS_BASE, Rule, Status

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


@dataclass(frozen=True, kw_only=True)
class PolicyRule(Rule):
    """A Rego policy in the catalogue: a Rule without a check, opt-in when METADATA says so.

    ``opt_in`` is what ``Config.is_selected`` reads: an opt-in rule runs only when a
    ``select`` entry names it (code, name, prefix or ``ALL``).
    """

    opt_in: bool = False
    builtin: bool = False
    package: str = ""
    docs: str = ""  # a user policy's docs link (custom.docs, related_resources, or its file)

    @property
    def docs_url(self) -> str:
        """Built-in policies are documented like Python rules; user ones link their own docs."""
        return DOCS_BASE + self.code if self.builtin else self.docs


def policy_rule(policy: Policy) -> PolicyRule:
    """The catalogue entry for ``policy``: code, name, severity and docs from its METADATA."""
    meta = policy.meta
    severity = meta.severity or _default_severity(policy)
    return PolicyRule(
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
        opt_in=meta.opt_in,
        builtin=policy.builtin,
        package=policy.package,
        docs=_docs_link(policy),
    )


def _docs_link(policy: Policy) -> str:
    custom = policy.meta.custom.get("docs")
    if isinstance(custom, str):
        return custom
    related = policy.meta.related
    # else the policy file itself: its METADATA is its documentation (and a URI is required)
    return related[0] if related else Path(policy.path).absolute().as_uri()


def policy_rules(policies: Iterable[Policy]) -> tuple[PolicyRule, ...]:
    """Catalogue entries for ``policies``, sorted by code."""
    return tuple(sorted((policy_rule(p) for p in policies), key=lambda rule: rule.code))


def _default_severity(policy: Policy) -> Severity:
    if all(rule.startswith("warn") for rule in policy.rules):
        return Severity.WARNING
    return Severity.ERROR
