"""MESH205: a wildcard DestinationRule in a client namespace hides the service's exact one."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import host_matches, is_wildcard
from meshlint.mesh import Mesh, ResolvedDestinationRule
from meshlint.model.base import Kind
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    groups = ctx.mesh.destination_rule_groups()
    wildcards = [e for entries in groups.values() for e in entries if _is_client_wildcard(e)]
    if not wildcards:
        return
    exact = [e for entries in groups.values() for e in entries if not is_wildcard(e.host)]
    for wildcard in wildcards:
        for hidden in exact:
            if _hides(ctx.mesh, wildcard, hidden):
                yield ctx.finding(
                    wildcard.rule,
                    "/spec/host",
                    related=[(hidden.rule, "/spec/host", f"hidden {hidden.rule.ref}")],
                    wildcard=wildcard.rule.spec.host,
                    hidden=_name(hidden),
                    host=hidden.host,
                    namespace=wildcard.namespace,
                )


def _is_client_wildcard(entry: ResolvedDestinationRule) -> bool:
    return is_wildcard(entry.host) and entry.selector is None


def _hides(mesh: Mesh, wildcard: ResolvedDestinationRule, hidden: ResolvedDestinationRule) -> bool:
    """``hidden`` (another namespace, visible to the wildcard's namespace) would apply to its
    clients, but the lookup stops at their own namespace, where the wildcard matches (3.4)."""
    client = wildcard.namespace
    if hidden.namespace == client or hidden.selector is not None:
        return False
    if not host_matches(hidden.host, wildcard.host) or not hidden.export_to.visible_to(client):
        return False
    service_namespace = _service_namespace(mesh, hidden.host)
    if hidden.namespace not in (service_namespace, mesh.settings.root_namespace):
        return False  # never reached by the lookup anyway
    chosen = mesh.destination_rule_for(client, hidden.host, service_namespace=service_namespace)
    return chosen is wildcard


def _service_namespace(mesh: Mesh, host: str) -> str | None:
    services = mesh.services_for_host(host)
    return services[0].namespace if services else mesh.host_namespace(host)


def _name(entry: ResolvedDestinationRule) -> str:
    return f"{entry.namespace}/{entry.rule.name}"


RULE = Rule(
    code="MESH205",
    name="dr-hidden-by-wildcard",
    summary="A wildcard DestinationRule in a client namespace hides the service's exact one",
    message=(
        "wildcard host {wildcard} hides DestinationRule {hidden} for {host} from clients in "
        "{namespace}: its subsets and traffic policy do not apply to them"
    ),
    severity=Severity.WARNING,
    kinds=frozenset({Kind.DESTINATION_RULE, Kind.SERVICE, Kind.SERVICE_ENTRY}),
    rationale=(
        "A client looks for a DestinationRule in its own namespace first, then in the "
        "service's namespace, then in the root namespace, and stops at the first namespace "
        "with any matching host. A wildcard rule such as *.svc.cluster.local in the client's "
        "namespace therefore shadows the exact rule the service's owners wrote: their subsets "
        "do not exist for these clients (routes to them fail with 503) and their load "
        "balancing, TLS and outlier detection do not apply. Rules are never merged across "
        "namespaces."
    ),
    remediation=(
        "Narrow the wildcard DestinationRule (or export it only where needed), or add an "
        "exact DestinationRule for the host in the client namespace that repeats the subsets "
        "and policy."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default-tls, namespace: frontend}
spec:
  host: "*.svc.cluster.local"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default-tls, namespace: frontend}
spec:
  host: "*.frontend.svc.cluster.local"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
""",
    since="0.1.0",
    check=check,
)
