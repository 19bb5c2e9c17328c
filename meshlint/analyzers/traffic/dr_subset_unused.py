"""MESH202: a DestinationRule subset that no route or mirror uses."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.graph import MeshGraph
from meshlint.mesh.traffic_queries import effective_subsets
from meshlint.model.base import Kind
from meshlint.model.networking import DestinationRule
from meshlint.rule import Rule, RuleContext

WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph or MeshGraph(ctx.mesh)
    for rule in ctx.mesh.all(DestinationRule):
        for index, subset in effective_subsets(ctx.mesh, rule):
            # a route or mirror naming this host and subset, from a VS some caller that can
            # see this DR may use (a more specific DR shadowing it is MESH205's concern)
            node = graph.subset_node(rule, subset.name)
            if node is None or not graph.subset_users(node):
                yield ctx.finding(
                    rule, f"/spec/subsets/{index}/name", subset=subset.name, host=rule.spec.host
                )


RULE = Rule(
    code="MESH202",
    name="dr-subset-unused",
    uses_graph=True,
    summary="No route or mirror in the input uses a DestinationRule subset",
    message="subset {subset} of {host} is not used by any route or mirror in the input",
    severity=Severity.INFO,
    # a gateway route is used by the gateway pods (any workload kind) and their namespace
    kinds=frozenset({Kind.DESTINATION_RULE, Kind.VIRTUAL_SERVICE, Kind.GATEWAY, *WORKLOAD_KINDS}),
    rationale=(
        "Istio builds a cluster for every subset, for every proxy that sees the "
        "DestinationRule, whether or not a route uses it. A subset no VirtualService route or "
        "mirror names is dead configuration: often a leftover of a finished rollout, or a "
        "sign that a route names the subset differently."
    ),
    remediation="Remove the subset, or route to it from the VirtualService that should use it.",
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v0, labels: {version: v0}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v0, labels: {version: v0}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews.shop.svc.cluster.local, subset: v0}
""",
    since="0.1.0",
    check=check,
)
