"""MESH208: a portLevelSettings entry drops policy components set at the level above it."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.destinationrules import PORT_COMPONENTS, subset_policy
from meshlint.model.base import Kind
from meshlint.model.networking import DestinationRule, Subset, TrafficPolicy
from meshlint.rule import Rule, RuleContext

CAMEL = {
    "connection_pool": "connectionPool",
    "load_balancer": "loadBalancer",
    "outlier_detection": "outlierDetection",
    "tls": "tls",
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for rule in ctx.mesh.all(DestinationRule):
        top = rule.spec.traffic_policy
        if top is not None:
            yield from _entries(ctx, rule, top, None, "/spec/trafficPolicy")
        for index, subset in enumerate(rule.spec.subsets):
            if subset.traffic_policy is not None:
                pointer = f"/spec/subsets/{index}/trafficPolicy"
                yield from _entries(ctx, rule, top, subset, pointer)


def _entries(
    ctx: RuleContext,
    rule: DestinationRule,
    top: TrafficPolicy | None,
    subset: Subset | None,
    pointer: str,
) -> Iterator[Finding]:
    own = subset.traffic_policy if subset is not None else top
    if own is None:
        return
    for index, entry in enumerate(own.port_level_settings):
        port = entry.port.number if entry.port is not None else None
        if port is None or _first_for_port(own, index, port) is False:
            continue  # a later duplicate entry is never used (3.1)
        lost = _lost(top, subset, port)
        if lost:
            yield ctx.finding(
                rule,
                f"{pointer}/portLevelSettings/{index}",
                port=port,
                lost=", ".join(lost),
                level="subset" if subset is not None else "top-level",
            )


def _first_for_port(policy: TrafficPolicy, index: int, port: int) -> bool:
    first = next(
        i
        for i, e in enumerate(policy.port_level_settings)
        if e.port is not None and e.port.number == port
    )
    return first == index


def _lost(top: TrafficPolicy | None, subset: Subset | None, port: int) -> list[str]:
    """Components the cluster for ``port`` would have without the entry but lacks with it
    (``GetPortLevelTrafficPolicy``: omitted components fall back to defaults, 3.2)."""
    own = subset.traffic_policy if subset is not None else None
    if subset is None or own is None:
        before, after = top, subset_policy(top, None, port)
    else:
        bare = own.model_copy(update={"port_level_settings": ()})
        before = subset_policy(top, subset.model_copy(update={"traffic_policy": bare}), port)
        after = subset_policy(top, subset, port)
    if before is None:
        return []
    return [
        CAMEL[c]
        for c in PORT_COMPONENTS
        if getattr(before, c) and not (after is not None and getattr(after, c))
    ]


RULE = Rule(
    code="MESH208",
    name="dr-port-settings-reset",
    summary="A portLevelSettings entry drops policy set above it; omitted parts use defaults",
    message=(
        "port {port} settings replace the {level} policy: {lost} set there do not apply on "
        "port {port} (defaults are used)"
    ),
    severity=Severity.INFO,
    kinds=frozenset({Kind.DESTINATION_RULE}),
    rationale=(
        "A portLevelSettings entry replaces the traffic policy for its port as a whole: "
        "connectionPool, loadBalancer, outlierDetection and tls that the entry omits fall back "
        "to Istio's defaults, not to the values set at the top level (or in the subset). "
        "A top-level tls mode, for example, no longer applies on that port."
    ),
    remediation=(
        "Repeat the components that should still apply (for example tls) inside the "
        "portLevelSettings entry."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings:
    - port: {number: 80}
      loadBalancer: {simple: ROUND_ROBIN}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings:
    - port: {number: 80}
      loadBalancer: {simple: ROUND_ROBIN}
      tls: {mode: ISTIO_MUTUAL}
""",
    since="0.1.0",
    check=check,
)
