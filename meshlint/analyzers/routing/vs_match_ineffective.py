"""MESH111: one match of a reachable rule is taken entirely by earlier rules or matches."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.routing_queries import ineffective_matches, rule_names
from meshlint.model.base import Kind
from meshlint.model.networking import VirtualService
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        for dead in ineffective_matches(ctx.mesh, vs):
            names = rule_names(vs, dead.section)
            name = names[dead.rule] if dead.rule < len(names) else ""
            where = f"{dead.section}[{dead.rule}]" + (f" ({name})" if name else "")
            yield ctx.finding(
                vs,
                f"/spec/{dead.section}/{dead.rule}/match/{dead.match}",
                extra=(("witness", dead.to_dict(names)),),
                match=f"match[{dead.match}] of {where}",
                what="request" if dead.section == "http" else "connection",
                why=dead.render(names),
            )


RULE = Rule(
    code="MESH111",
    name="vs-match-ineffective",
    summary="A match clause that earlier rules or matches already take",
    message="{match} never decides a {what}: every {what} it matches is {why}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.VIRTUAL_SERVICE}),
    rationale=(
        "Each match of a rule becomes its own route, in order, and Envoy uses the first route "
        "that matches. A match whose requests are all taken by earlier rules (or by earlier "
        "matches of the same rule) never applies; the rule itself stays reachable through its "
        "other matches, so the dead clause is easy to miss and usually hides a wrong order "
        "or a typo."
    ),
    remediation=(
        "Remove the covered match, or move it (or its rule) before the rule that covers it."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - match: [{uri: {prefix: /api/v1}}, {uri: {prefix: /v1}}]
    route: [{destination: {host: api-v1}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api]
  http:
  - match: [{uri: {prefix: /api/v1}}, {uri: {prefix: /v1}}]
    route: [{destination: {host: api-v1}}]
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
""",
    since="0.1.0",
    istio=("IST0131",),
    kiali=(),
    check=check,
)
