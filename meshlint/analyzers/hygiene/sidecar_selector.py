"""MESH505: Sidecar selectors that match nothing or overlap, and ineffective Sidecars (7.2)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.hygiene_queries import namespace_is_ambient, workload_is_ambient
from meshlint.mesh.workloads import WorkloadInfo
from meshlint.model.base import Kind
from meshlint.model.networking import Sidecar
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
    by_namespace: dict[str, list[Sidecar]] = {}
    for sidecar in ctx.mesh.all(Sidecar):
        by_namespace.setdefault(ctx.mesh.namespace_of(sidecar), []).append(sidecar)
    for namespace, sidecars in by_namespace.items():
        yield from _defaults(ctx, namespace, [s for s in sidecars if _selector(s) is None])
        yield from _selected(ctx, namespace, [s for s in sidecars if _selector(s) is not None])


def _selector(sidecar: Sidecar) -> dict[str, str] | None:
    selector = sidecar.spec.workload_selector
    return None if selector is None else dict(selector.labels)


def _defaults(ctx: RuleContext, namespace: str, sidecars: list[Sidecar]) -> Iterator[Finding]:
    """Selector-less Sidecars: one per namespace is used; none at all in ambient mode."""
    names = ", ".join(s.name for s in sidecars)
    for sidecar in sidecars:
        if len(sidecars) > 1:
            problem = f"is one of several Sidecars without workloadSelector in {namespace} "
            problem += f"({names}); only the oldest is used"
            yield ctx.finding(sidecar, "/metadata/name", problem=problem)
        elif namespace_is_ambient(ctx.mesh, namespace):
            problem = f"has no effect: namespace {namespace} uses ambient mode, not sidecars"
            yield ctx.finding(sidecar, "/metadata/name", problem=problem)


def _selected(ctx: RuleContext, namespace: str, sidecars: list[Sidecar]) -> Iterator[Finding]:
    owners: dict[int, list[Sidecar]] = {}
    for sidecar in sidecars:
        matched = ctx.mesh.workloads_selected(namespace, _selector(sidecar))
        for workload in matched:
            if workload.is_gateway:
                continue  # gateways ignore Sidecars: no conflict there
            owners.setdefault(id(workload.resource), []).append(sidecar)
        finding = _effect(ctx, sidecar, namespace, matched)
        if finding is not None:
            yield finding
    reported: set[int] = set()
    for group in owners.values():
        if len(group) < 2:  # a conflict needs two
            continue
        names = ", ".join(s.name for s in group)
        for sidecar in group:
            if id(sidecar) not in reported:
                reported.add(id(sidecar))
                problem = f"selects workloads that other Sidecars also select ({names}); "
                problem += "only the oldest applies to each of them"
                yield ctx.finding(sidecar, "/spec/workloadSelector", problem=problem)


def _effect(
    ctx: RuleContext, sidecar: Sidecar, namespace: str, matched: tuple[WorkloadInfo, ...]
) -> Finding | None:
    pointer = "/spec/workloadSelector/labels"
    if not matched:
        if not _selector(sidecar) or not _workloads_known(ctx, namespace):
            return None  # the workloads may simply not be in the input
        problem = f"selects no workload in namespace {namespace}"
        return ctx.finding(sidecar, pointer, problem=problem)
    proxied = [w for w in matched if not w.is_gateway]
    if not proxied:
        problem = "selects only gateway proxies, which ignore Sidecar resources"
        return ctx.finding(sidecar, pointer, problem=problem)
    if all(workload_is_ambient(ctx.mesh, w) for w in proxied):
        problem = "has no effect: the workloads it selects use ambient mode, not sidecars"
        return ctx.finding(sidecar, pointer, problem=problem)
    return None


def _workloads_known(ctx: RuleContext, namespace: str) -> bool:
    """Whether "no workload matches" can be trusted: the input has the namespace's workloads."""
    if ctx.mesh.settings.assume_complete:
        return True
    return bool(ctx.mesh.workloads_selected(namespace, {}))


RULE = Rule(
    code="MESH505",
    name="sidecar-selector",
    summary=(
        "A Sidecar selector matches nothing, several Sidecars select one workload, or a "
        "namespace has several default Sidecars"
    ),
    message="{resource} {problem}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.SIDECAR, Kind.NAMESPACE, *WORKLOAD_KINDS}),
    rationale=(
        "A workload uses exactly one Sidecar: the oldest one in its namespace whose "
        "workloadSelector matches its labels, else the oldest one without a selector, else the "
        "root namespace's default. Sidecars are never merged, so a second matching Sidecar "
        "is silently ignored, and which one wins depends on creation time. A selector that "
        "matches no workload configures nothing. Gateways and ambient-mode workloads ignore "
        "Sidecar resources altogether."
    ),
    remediation=(
        "Make Sidecar selectors disjoint, keep at most one Sidecar without workloadSelector per "
        "namespace, and fix or delete Sidecars that select nothing."
    ),
    example_bad="""\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default-a, namespace: shop}
spec:
  egress: [{hosts: ["./*"]}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default-b, namespace: shop}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
""",
    example_good="""\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
""",
    since="0.1.0",
    istio=("IST0101", "IST0110", "IST0111", "IST0167"),
    check=check,
)
