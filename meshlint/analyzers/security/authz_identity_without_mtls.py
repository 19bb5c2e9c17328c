"""MESH310: an identity condition on a workload port that accepts plaintext (4.5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.findings import Finding, Severity
from meshlint.mesh.security import MtlsMode
from meshlint.mesh.security_queries import (
    WORKLOAD_KINDS,
    identity_pointers,
    is_ambient,
    is_dry_run,
    mtls_explicitly_off,
    policy_scope_known,
    policy_workloads,
    rule_ports,
    workload_ports,
)
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.model.security import Rule as AuthzRule
from meshlint.rule import Rule, RuleContext

EFFECT = {
    "DENY": "plaintext callers bypass this DENY rule",
    "ALLOW": "plaintext callers are denied (fail-closed)",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    severity: Severity
    target: str
    mode: MtlsMode


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        action = policy.spec.effective_action
        if action not in EFFECT or is_dry_run(policy):
            continue  # AUDIT never decides; CUSTOM rejects identity fields
        for index, rule in enumerate(policy.spec.rules or ()):
            pointers = identity_pointers(rule, f"/spec/rules/{index}")
            verdict = _verdict(ctx, policy, rule) if pointers else None
            if verdict is not None:
                yield ctx.finding(
                    policy,
                    pointers[0],
                    severity=ctx.severity or verdict.severity,
                    action=action,
                    target=verdict.target,
                    mode=verdict.mode,
                    effect=EFFECT[action],
                )


def _verdict(ctx: RuleContext, policy: AuthorizationPolicy, rule: AuthzRule) -> Verdict | None:
    selected = policy_workloads(ctx.mesh, policy)
    deny = policy.spec.effective_action == "DENY"
    if not selected and policy_scope_known(ctx.mesh, policy):
        return None  # it selects nothing (MESH313's finding)
    if not selected:
        # no workload of its scope in the input: the namespace (or mesh) mode is all we know
        namespace = ctx.mesh.namespace_of(policy)
        decision = ctx.mesh.namespace_mtls_mode(namespace)
        if decision.mode is MtlsMode.STRICT:
            return None
        off = decision.mode is MtlsMode.DISABLE or not ctx.mesh.settings.enable_auto_mtls
        return Verdict(_severity(deny, explicit=off), f"namespace {namespace}", decision.mode)
    # no proxy: no policy either; ambient (ztunnel) always carries an mTLS identity
    workloads = [w for w in selected if w.has_sidecar is not False and not is_ambient(w)]
    verdicts = [v for w in workloads for v in _workload_verdicts(ctx, w, rule, deny)]
    return max(verdicts, key=lambda v: v.severity.rank, default=None)


def _workload_verdicts(
    ctx: RuleContext, workload: WorkloadInfo, rule: AuthzRule, deny: bool
) -> Iterator[Verdict]:
    ports: tuple[int | None, ...] = rule_ports(rule) or workload_ports(ctx.mesh, workload)
    for port in ports or (None,):
        mode = ctx.mesh.peer_authentication_mode(workload, port).mode
        if mode is MtlsMode.STRICT:
            continue
        explicit = not deny and mtls_explicitly_off(ctx.mesh, workload, port)
        where = f" port {port}" if port is not None else ""
        target = f"workload {workload.namespace}/{workload.name}{where}"
        yield Verdict(_severity(deny, explicit=explicit), target, mode)


def _severity(deny: bool, *, explicit: bool) -> Severity:
    # DENY bypassed -> error; ALLOW fail-closed -> warning if mTLS is explicitly off, else
    # info (auto mTLS makes in-mesh callers send mTLS anyway) (SPEC MESH310, 4.5)
    if deny:
        return Severity.ERROR
    return Severity.WARNING if explicit else Severity.INFO


RULE = Rule(
    code="MESH310",
    name="authz-identity-without-mtls",
    summary="An authorization rule matches on peer identity where plaintext is accepted",
    message="{action} rule matches on peer identity, but {target} accepts plaintext ({mode}): "
    "{effect}",
    severity=Severity.WARNING,
    kinds=frozenset(
        {
            Kind.AUTHORIZATION_POLICY,
            Kind.PEER_AUTHENTICATION,
            Kind.DESTINATION_RULE,
            Kind.SERVICE,
            Kind.SERVICE_ENTRY,
            Kind.NAMESPACE,
            *WORKLOAD_KINDS,
        }
    ),
    rationale=(
        "principals, namespaces, serviceAccounts, trustDomains and the source.* conditions are "
        "read from the peer's mTLS certificate. A plaintext connection has none: a DENY rule "
        "built on them never matches it, so any plaintext caller bypasses the deny, and an "
        "ALLOW rule never matches it, so plaintext callers are refused. Only STRICT mTLS "
        "guarantees the identity is there. Severity: error for DENY on PERMISSIVE/DISABLE "
        "ports; for ALLOW warning when mTLS is explicitly off for the workload, info otherwise."
    ),
    remediation=(
        "Enforce STRICT mTLS for the workload (PeerAuthentication), or match plaintext callers "
        "with ipBlocks, or use negative conditions (notPrincipals) in DENY rules."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: block-legacy, namespace: shop}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [legacy]}}]}]
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: block-legacy, namespace: shop}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [legacy]}}]}]
""",
    since="0.1.0",
    kiali=("KIA0105",),
    check=check,
)
