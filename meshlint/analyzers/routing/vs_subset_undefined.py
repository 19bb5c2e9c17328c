"""MESH120: a destination or mirror names a subset the caller's DestinationRule lacks."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import MESH_GATEWAY
from meshlint.mesh import ResolvedDestinationRule
from meshlint.model.base import Kind, Resource
from meshlint.model.networking import VirtualService
from meshlint.model.routes import DestinationRef, destinations
from meshlint.rule import Rule, RuleContext

WORKLOAD_KINDS = (
    Kind.POD,
    Kind.DEPLOYMENT,
    Kind.STATEFUL_SET,
    Kind.DAEMON_SET,
    Kind.REPLICA_SET,
    Kind.JOB,
    Kind.CRON_JOB,
    Kind.WORKLOAD_ENTRY,
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for vs in ctx.mesh.all(VirtualService):
        namespace = ctx.mesh.namespace_of(vs)
        callers = [c for c in callers_of(ctx, vs, namespace) if ctx.mesh.namespace_known(c)]
        for ref in destinations(vs):
            if ref.destination.subset:
                finding = _check_destination(ctx, vs, ref, namespace, callers)
                if finding is not None:
                    yield finding


def callers_of(ctx: RuleContext, vs: VirtualService, namespace: str) -> tuple[str, ...]:
    """Client namespaces whose proxies use the VS: sidecars in the namespaces it is exported
    to (its own when exported everywhere) and the pods of each bound Gateway (3.4, 6.3)."""
    found: dict[str, None] = {}
    export = ctx.mesh.export_to(vs)
    if vs.spec.applies_to_mesh:
        names = sorted(export.namespaces) if not export.public else [namespace]
        found.update(dict.fromkeys(names or [namespace]))
    for ref in vs.spec.gateways:
        gateway = ctx.mesh.gateway(ctx.mesh.resolve_gateway_ref(vs, ref))
        if ref == MESH_GATEWAY or gateway is None:
            continue
        # a gateway ignores a VS not exported to its pods' namespace (MESH127's business)
        proxies = ctx.mesh.gateway_proxy_namespaces(gateway)
        found.update(dict.fromkeys(ns for ns in proxies if export.visible_to(ns)))
    return tuple(found)


def _check_destination(
    ctx: RuleContext, vs: VirtualService, ref: DestinationRef, namespace: str, callers: list[str]
) -> Finding | None:
    host = ctx.mesh.fqdn(ref.destination.host, namespace)
    service_namespace = _service_namespace(ctx, host)
    if service_namespace is None or not ctx.mesh.namespace_known(service_namespace):
        return None  # the service (and its DestinationRules) may live outside the input
    subset = ref.destination.subset or ""
    for caller in callers:
        dr = ctx.mesh.destination_rule_for(caller, host, service_namespace=service_namespace)
        if dr is not None and dr.subset(subset) is not None:
            continue
        if dr is None and not ctx.mesh.namespace_known(ctx.mesh.settings.root_namespace):
            continue  # a root-namespace DestinationRule could still define it
        scope = f" for callers in {caller}" if caller != namespace else ""
        problem, related = _problem(dr, host, scope)
        return ctx.finding(
            vs,
            f"{ref.pointer}/subset",
            related=related,
            kind="mirror" if ref.mirror else "route",
            host=ref.destination.host,
            subset=subset,
            problem=problem,
        )
    return None


def _service_namespace(ctx: RuleContext, host: str) -> str | None:
    """Where the service lives: its registry entry, else the ``name.ns.svc...`` form."""
    services = ctx.mesh.services_for_host(host)
    if services:
        return services[0].namespace
    return ctx.mesh.host_namespace(host)


def _problem(
    dr: ResolvedDestinationRule | None, host: str, scope: str
) -> tuple[str, list[tuple[Resource, str, str]]]:
    """The message tail naming the DestinationRule the caller gets (and its subsets)."""
    if dr is None:
        return f"no DestinationRule for {host} applies{scope}", []
    name = f"DestinationRule {dr.namespace}/{dr.rule.name}"
    names = ", ".join(s.name for s in dr.subsets)
    defines = f"defines only {names}" if names else "defines no subsets"
    return f"{name} {defines}{scope}", [(dr.rule, "", name)]


RULE = Rule(
    code="MESH120",
    name="vs-subset-undefined",
    summary="A route or mirror names a subset that the applicable DestinationRule does not define",
    message="{kind} to {host} subset {subset}, but {problem}",
    severity=Severity.ERROR,
    # the gateway pods (any workload kind) decide which namespace a gateway route's DR is from
    kinds=frozenset(
        {
            Kind.VIRTUAL_SERVICE,
            Kind.DESTINATION_RULE,
            Kind.GATEWAY,
            Kind.SERVICE,
            Kind.SERVICE_ENTRY,
            *WORKLOAD_KINDS,
        }
    ),
    rationale=(
        "Subset clusters are built only from the DestinationRule a caller gets: the one in "
        "its own namespace, else the service's namespace, else the root namespace, stopping "
        "at the first that matches the host. If that rule has no such subset, or no rule "
        "applies, the route points at a cluster that does not exist and requests fail with "
        "503 (no cluster). Istio accepts the VirtualService anyway."
    ),
    remediation=(
        "Add the subset to the DestinationRule the callers get (or create one), or route to a "
        "subset that exists."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
""",
    since="0.1.0",
    istio=("IST0101",),
    kiali=("KIA1107",),
    check=check,
)
