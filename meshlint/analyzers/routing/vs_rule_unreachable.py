"""MESH110: a route rule no request can reach, because earlier rules take all its requests."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.routing_queries import rule_names, unreachable_rules
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for dead in unreachable_rules(ctx.mesh, vs):
            names = rule_names(vs, dead.section)
            name = names[dead.rule] if dead.rule < len(names) else ""
            yield ctx.finding(
                vs,
                f"/spec/{dead.section}/{dead.rule}",
                extra=(("witness", dead.to_dict(names)),),
                rule=f"{dead.section}[{dead.rule}]" + (f" ({name})" if name else ""),
                what="request" if dead.section == "http" else "connection",
                why=dead.render(names),
            )


RULE = Rule(
    code="MESH110",
    name="vs-rule-unreachable",
    summary="A route rule that no request can reach",
    message="{rule} can never match: every {what} it matches is {why}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Istio turns the rules of a VirtualService into routes in list order and Envoy uses "
        "the first route that matches. When earlier rules match every request a later rule "
        "matches (a rule without match, a shorter prefix, a regex that covers it, a duplicate "
        "match), the later rule is dead configuration: its destinations, retries and faults "
        "never apply. meshlint proves this with a solver over every request and names the "
        "covering rules; it stays silent when the proof is not possible."
    ),
    remediation=(
        "Move the more specific rule before the rule that covers it, narrow the covering "
        "rule, or delete the dead rule."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - name: all
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - name: v1
    match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: api-v1}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - name: v1
    match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: api-v1}}]
  - name: all
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
""",
    since="0.1.0",
    # istioctl reports a duplicate match of a dead rule as IST0131 as well as IST0130
    istio=("IST0130", "IST0131"),
    kiali=(),
    check=check,
)
