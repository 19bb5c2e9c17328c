"""MESH207: TLS origination (SIMPLE/MUTUAL) without a CA to verify the server."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.common import PortSelector
from meshlint.model.networking import ClientTLSSettings, DestinationRule, TrafficPolicy
from meshlint.rule import Rule, RuleContext

USER_TLS = ("SIMPLE", "MUTUAL")


def check(ctx: RuleContext) -> Iterator[Finding]:
    for rule in ctx.mesh.all(DestinationRule):
        if rule.spec.traffic_policy is not None:
            yield from _policy(ctx, rule, rule.spec.traffic_policy, "/spec/trafficPolicy", "")
        for index, subset in enumerate(rule.spec.subsets):
            if subset.traffic_policy is not None:
                pointer = f"/spec/subsets/{index}/trafficPolicy"
                scope = f" in subset {subset.name}"
                yield from _policy(ctx, rule, subset.traffic_policy, pointer, scope)


def _policy(
    ctx: RuleContext, rule: DestinationRule, policy: TrafficPolicy, pointer: str, scope: str
) -> Iterator[Finding]:
    # istioctl: IST0128 for the destination level, IST0129 for a port-level entry
    levels = [(policy.tls, pointer, scope, "IST0128")]
    levels += [
        (entry.tls, f"{pointer}/portLevelSettings/{i}", scope + _port(entry.port), "IST0129")
        for i, entry in enumerate(policy.port_level_settings)
    ]
    for tls, at, where, code in levels:
        problem = _problem(rule, tls)
        if tls is not None and problem:
            yield ctx.finding(
                rule,
                f"{at}/tls/mode",
                extra=[("istio_code", code)],
                mode=tls.mode,
                where=where,
                problem=problem,
            )


def _problem(rule: DestinationRule, tls: ClientTLSSettings | None) -> str:
    if tls is None or tls.mode not in USER_TLS or tls.insecure_skip_verify or tls.ca_certificates:
        return ""
    if not tls.credential_name:
        return "no caCertificates or credentialName"
    if rule.spec.workload_selector is None:
        # api: sidecars honour credentialName only in a DR with a workloadSelector (3.1)
        return "sidecars ignore credentialName without a workloadSelector (gateways only)"
    return ""


def _port(port: PortSelector | None) -> str:
    number = port.number if port is not None else None
    return f" on port {number}" if number is not None else " at port level"


RULE = Rule(
    code="MESH207",
    name="dr-tls-no-ca",
    summary="TLS origination (SIMPLE or MUTUAL) without CA certificates to verify the server",
    message="tls mode {mode}{where}: {problem}, so the server certificate is not verified",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.DESTINATION_RULE}),
    rationale=(
        "With tls mode SIMPLE or MUTUAL the proxy originates TLS with the settings of the "
        "DestinationRule. Without caCertificates, or a credentialName the proxy can read, it "
        "has no CA of yours to check the server's certificate against, so the server's "
        "identity is not verified. Sidecars read credentialName only from DestinationRules "
        "with a workloadSelector; other rules' credentialName serves gateways only."
    ),
    remediation=(
        "Set caCertificates (or a credentialName whose secret holds ca.crt, with a "
        "workloadSelector for sidecars); set insecureSkipVerify: true only if skipping "
        "verification is intended."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db.example.com
  trafficPolicy: {tls: {mode: SIMPLE}}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db.example.com
  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /etc/certs/root.pem}}
""",
    since="0.1.0",
    istio=("IST0128", "IST0129"),
    check=check,
)
