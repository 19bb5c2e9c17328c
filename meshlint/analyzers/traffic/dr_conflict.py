"""MESH204: DestinationRules for one host in one namespace whose settings are partly lost."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from meshlint.findings import Finding, Severity
from meshlint.matching import ExportTo
from meshlint.mesh import ResolvedDestinationRule
from meshlint.model.base import Kind
from meshlint.model.networking import DestinationRule
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for entries in ctx.mesh.destination_rule_groups().values():
        for entry in entries:
            yield from _merged_policy(ctx, entry)
            yield from _dropped_subsets(ctx, entry)
        yield from _shadowed(ctx, [e for e in entries if e.selector is None])


def _merged_policy(ctx: RuleContext, entry: ResolvedDestinationRule) -> Iterator[Finding]:
    """3.3: merged DRs keep the first trafficPolicy; a later one is dropped whole."""
    owner = next((r for r in entry.rules if r.spec.traffic_policy is not None), None)
    for rule in entry.rules[1:]:
        if owner is None or rule is owner or rule.spec.traffic_policy is None:
            continue
        yield _finding(
            ctx,
            rule,
            "/spec/trafficPolicy",
            owner,
            what="its trafficPolicy",
            why=f"DestinationRule {_name(owner)} for the same host merges with it and its "
            "trafficPolicy wins",
        )


def _dropped_subsets(ctx: RuleContext, entry: ResolvedDestinationRule) -> Iterator[Finding]:
    """3.3: a subset name already defined by an earlier merged DR is dropped."""
    for name, rule in entry.dropped_subsets:
        winner = _definer(entry, name)
        index = next(i for i, s in enumerate(rule.spec.subsets) if s.name == name)
        yield _finding(
            ctx,
            rule,
            f"/spec/subsets/{index}/name",
            winner,
            what=f"subset {name}",
            why=f"DestinationRule {_name(winner)} for the same host defines it first",
        )


def _shadowed(ctx: RuleContext, entries: Sequence[ResolvedDestinationRule]) -> Iterator[Finding]:
    """DRs with different exportTo are not merged; a client that sees several gets the last
    one without selector (``SidecarScope.DestinationRule``, 3.4), the others are lost to it."""
    for i, loser in enumerate(entries):
        for winner in reversed(entries[i + 1 :]):
            where = _overlap(loser.export_to, winner.export_to)
            if where:
                yield _finding(
                    ctx,
                    loser.rule,
                    "/spec/exportTo" if loser.rule.spec.export_to else "/spec/host",
                    winner.rule,
                    what=f"for clients in {where}, this DestinationRule",
                    why=f"they use DestinationRule {_name(winner.rule)} for the same host "
                    "instead (the later one in creation order wins; exportTo differs, so no merge)",
                )
                break


def _overlap(a: ExportTo, b: ExportTo) -> str:
    if a.public and b.public:
        return "every namespace"
    if a.public or b.public:
        names = b.namespaces if a.public else a.namespaces
    else:
        names = a.namespaces & b.namespaces
    return ", ".join(sorted(names))


def _definer(entry: ResolvedDestinationRule, name: str) -> DestinationRule:
    kept = entry.subset(name)
    return next((r for r in entry.rules if any(s is kept for s in r.spec.subsets)), entry.rule)


def _name(rule: DestinationRule) -> str:
    return str(rule.ref).removeprefix("DestinationRule ")


def _finding(  # noqa: PLR0913 - the pieces of one finding
    ctx: RuleContext,
    rule: DestinationRule,
    pointer: str,
    winner: DestinationRule,
    *,
    what: str,
    why: str,
) -> Finding:
    related = [(winner, "", f"DestinationRule {_name(winner)} wins")]
    return ctx.finding(rule, pointer, related=related, what=what, why=why)


RULE = Rule(
    code="MESH204",
    name="dr-conflict",
    summary="Several DestinationRules for one host in one namespace: part of them is ignored",
    message="{what} is ignored: {why}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.DESTINATION_RULE}),
    rationale=(
        "DestinationRules in one namespace with the same host string are merged: the oldest "
        "one's trafficPolicy wins (a later trafficPolicy is dropped whole) and a subset name "
        "defined again by a later rule is dropped. Rules with different exportTo are not "
        "merged at all, and a client that sees several of them uses only one. The ignored "
        "settings look active in the YAML but never reach the proxies."
    ),
    remediation=(
        "Keep one DestinationRule per host and namespace (move the subsets and the policy into "
        "it), or give each rule a distinct host or workloadSelector."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-tls, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  host: reviews
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-subsets, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
""",
    since="0.1.0",
    kiali=("KIA0201",),
    check=check,
)
