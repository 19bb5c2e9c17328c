"""MESH315: HTTP-only attributes in a policy rule for a TCP port (5.5)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import (
    WORKLOAD_KINDS,
    http_only_pointers,
    is_dry_run,
    is_opaque,
    policy_workloads,
    port_protocols,
    rule_ports,
)
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.model.security import Rule as AuthzRule
from meshlint.rule import Rule, RuleContext

EFFECT = {
    "ALLOW": "the rule is skipped there, so it never allows that traffic",
    "DENY": "the HTTP condition is dropped there, so the rule denies all TCP traffic in scope",
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for policy in ctx.mesh.all(AuthorizationPolicy):
        action = policy.spec.effective_action
        if action not in EFFECT or is_dry_run(policy):
            continue
        # gateways: the Gateway server, not the Service port, decides the protocol
        workloads = [
            w
            for w in policy_workloads(ctx.mesh, policy)
            if w.has_sidecar is not False and not w.is_gateway
        ]
        for index, rule in enumerate(policy.spec.rules or ()):
            pointers = http_only_pointers(rule, f"/spec/rules/{index}")
            hit = _tcp_target(ctx, workloads, rule, action) if pointers else None
            if hit is not None:
                workload, port = hit
                yield ctx.finding(
                    policy,
                    pointers[0],
                    action=action,
                    workload=f"{workload.namespace}/{workload.name}",
                    port=port,
                    effect=EFFECT[action],
                )


def _tcp_target(
    ctx: RuleContext, workloads: list[WorkloadInfo], rule: AuthzRule, action: str
) -> tuple[WorkloadInfo, int] | None:
    """The first (workload, TCP port) the rule reaches, by the rule's ``ports`` or, without
    them, any TCP port (DENY: widened) or only-TCP workloads (ALLOW: rule never matches)."""
    ports = rule_ports(rule)
    for workload in workloads:
        protocols = port_protocols(ctx.mesh, workload)
        tcp = [p for p, protocol in sorted(protocols.items()) if is_opaque(protocol)]
        if ports is not None:
            tcp = [p for p in tcp if p in ports]
        elif action == "ALLOW" and len(tcp) != len(protocols):
            continue  # the rule still applies to the workload's HTTP ports
        if tcp:
            return workload, tcp[0]
    return None


RULE = Rule(
    code="MESH315",
    name="authz-http-on-tcp",
    summary="A policy rule uses HTTP-only attributes for a TCP port",
    message="{action} rule uses HTTP-only attributes, but workload {workload} port {port} is "
    "TCP: {effect}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY, Kind.SERVICE, Kind.SERVICE_ENTRY, *WORKLOAD_KINDS}),
    rationale=(
        "hosts, methods, paths, requestPrincipals and request.* conditions exist only on HTTP "
        "filter chains. On a TCP port an ALLOW rule that uses them is dropped whole, so the "
        "traffic it meant to allow is denied; in a DENY rule only the HTTP condition is "
        "dropped, so the rule becomes broader and denies all TCP traffic it still matches."
    ),
    remediation=(
        "Limit the rule to HTTP ports with to.operation.ports, name the Service port with its "
        "real protocol, or use only TCP attributes (ports, ipBlocks, principals) for TCP."
    ),
    example_bad="""\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: tcp-pg, port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{to: [{operation: {methods: [DELETE]}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: tcp-pg, port: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]
""",
    since="0.1.0",
    check=check,
)
