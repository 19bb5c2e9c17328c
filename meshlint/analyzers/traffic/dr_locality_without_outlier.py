"""MESH206: locality failover configured without outlierDetection, so it never happens."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.model.base import Kind
from meshlint.model.networking import (
    DestinationRule,
    OutlierDetection,
    PortTrafficPolicy,
    TrafficPolicy,
)
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    if "outlierDetection" in ctx.mesh.settings.default_traffic_policy:
        return  # the mesh default supplies outlier detection to every unset cluster (3.2)
    for rule in ctx.mesh.all(DestinationRule):
        top = rule.spec.traffic_policy
        if top is not None:
            yield from _policy(ctx, rule, top, "/spec/trafficPolicy", None)
        for index, subset in enumerate(rule.spec.subsets):
            if subset.traffic_policy is not None:
                pointer = f"/spec/subsets/{index}/trafficPolicy"
                yield from _policy(ctx, rule, subset.traffic_policy, pointer, top)


def _policy(
    ctx: RuleContext,
    rule: DestinationRule,
    policy: TrafficPolicy,
    pointer: str,
    parent: TrafficPolicy | None,
) -> Iterator[Finding]:
    """A subset inherits the components it does not set from the top level (3.2); a port-level
    entry replaces them, so it needs its own outlierDetection."""
    inherited = parent.outlier_detection if parent is not None else None
    finding = _check(ctx, rule, pointer, policy, policy.outlier_detection or inherited)
    if finding is not None:
        yield finding
    for index, entry in enumerate(policy.port_level_settings):
        at = f"{pointer}/portLevelSettings/{index}"
        found = _check(ctx, rule, at, entry, entry.outlier_detection)
        if found is not None:
            yield found


def _check(
    ctx: RuleContext,
    rule: DestinationRule,
    pointer: str,
    level: TrafficPolicy | PortTrafficPolicy,
    outlier: OutlierDetection | None,
) -> Finding | None:
    balancer = level.load_balancer
    locality = balancer.locality_lb_setting if balancer is not None else None
    if locality is None or outlier is not None or locality.enabled is False:
        return None
    if not locality.failover and not locality.failover_priority:
        return None
    field = "failover" if locality.failover else "failoverPriority"
    port = level.port if isinstance(level, PortTrafficPolicy) else None
    where = f" on port {port.number}" if port is not None and port.number is not None else ""
    return ctx.finding(
        rule, f"{pointer}/loadBalancer/localityLbSetting/{field}", field=field, where=where
    )


RULE = Rule(
    code="MESH206",
    name="dr-locality-without-outlier",
    summary="Locality failover is configured without outlierDetection, so it never happens",
    message="locality {field}{where} has no outlierDetection: failover never happens",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.DESTINATION_RULE}),
    rationale=(
        "Istio applies locality failover priorities only to clusters that have outlier "
        "detection: without it unhealthy endpoints are never ejected, so the proxy never "
        "moves traffic to the next locality. Istio accepts the rule with only a validation "
        "warning. A port-level entry replaces the top-level policy, so it needs its own "
        "outlierDetection."
    ),
    remediation=(
        "Add outlierDetection (for example consecutive5xxErrors, interval and "
        "baseEjectionTime) next to the loadBalancer that sets the failover."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover: [{from: us-east, to: us-west}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover: [{from: us-east, to: us-west}]
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
""",
    since="0.1.0",
    check=check,
)
