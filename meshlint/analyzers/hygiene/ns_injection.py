"""MESH502: namespace injection labels missing or conflicting, or a pod left without its sidecar."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.hygiene_queries import (
    InjectionLabels,
    has_proxy_container,
    injection_labels,
    injects_namespaces_by_default,
    is_system_namespace,
)
from meshlint.mesh.workloads import INJECT
from meshlint.model.base import Kind
from meshlint.model.kubernetes import Namespace, Pod
from meshlint.rule import Rule, RuleContext

# fields only a pod read back from a cluster has: then "no istio-proxy" is a fact, not a plan
LIVE_POINTERS = ("/status", "/spec/nodeName", "/metadata/uid", "/metadata/ownerReferences")


def check(ctx: RuleContext) -> Iterator[Finding]:
    injected: set[str] = set()
    by_default = injects_namespaces_by_default(ctx.mesh)
    for namespace in ctx.mesh.all(Namespace):
        if namespace.name == ctx.mesh.settings.root_namespace or is_system_namespace(
            namespace.name
        ):
            continue  # istioctl skips the control plane's and Kubernetes' own namespaces
        labels = injection_labels(namespace)
        finding = _check_namespace(ctx, namespace, labels, by_default)
        if finding is not None:
            yield finding
        if labels.injects or (by_default and _unlabelled(labels)):
            injected.add(namespace.name)
    for pod in ctx.mesh.all(Pod):
        if ctx.mesh.namespace_of(pod) in injected and _missing_proxy(pod):
            yield _pod_finding(ctx, pod)


def _unlabelled(labels: InjectionLabels) -> bool:
    return labels.injection is None and labels.revision is None and labels.dataplane_mode is None


def _check_namespace(
    ctx: RuleContext, namespace: Namespace, labels: InjectionLabels, by_default: bool
) -> Finding | None:
    active = labels.active()
    if len(active) > 1:
        return ctx.finding(
            namespace,
            "/metadata/labels",
            problem=f"has conflicting data-plane labels {', '.join(active)}",
        )
    if not _unlabelled(labels):
        return None
    if by_default:
        return ctx.finding(
            namespace,
            "/metadata/name",
            severity=ctx.severity or Severity.INFO,
            problem=(
                "has no injection label, so pods get a sidecar because the injector runs with "
                "enableNamespacesByDefault; label it istio-injection=disabled to keep it out"
            ),
        )
    return ctx.finding(
        namespace,
        "/metadata/name",
        severity=ctx.severity or Severity.INFO,
        problem=(
            "has no istio-injection or istio.io/rev label, so only pods that opt in get a "
            "sidecar; label it istio-injection=enabled, or =disabled to mark it as outside "
            "the mesh"
        ),
    )


def _missing_proxy(pod: Pod) -> bool:
    meta = pod.metadata
    opt = meta.labels.get(INJECT, meta.annotations.get(INJECT, ""))
    if opt.lower() == "false" or pod.spec.host_network:
        return False
    return not has_proxy_container(pod.pod_template)


def _pod_finding(ctx: RuleContext, pod: Pod) -> Finding:
    origin = pod.origin
    live = origin is not None and any(origin.source.has(p) for p in LIVE_POINTERS)
    problem = (
        "has no istio-proxy container although its namespace injects sidecars: it was created "
        "before injection was enabled or injection failed; restart it"
    )
    if not live:
        problem += " (if this is a manifest not yet applied, the webhook will inject it)"
    return ctx.finding(
        pod,
        "/spec/containers",
        severity=None if live else ctx.severity or Severity.INFO,
        problem=problem,
    )


RULE = Rule(
    code="MESH502",
    name="ns-injection",
    summary=(
        "Namespace injection labels missing or conflicting, or a pod in an injected namespace "
        "without its sidecar"
    ),
    message="{resource} {problem}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.NAMESPACE, Kind.POD, Kind.CONFIG_MAP}),
    rationale=(
        "The sidecar injector selects namespaces by label: istio-injection=enabled, or "
        "istio.io/rev=<revision> when istio-injection is absent; istio-injection with any other "
        "value disables injection. A namespace carrying both labels, or a sidecar label next to "
        "istio.io/dataplane-mode=ambient, asks for two data planes and which one wins depends "
        "on webhook details. An unlabelled namespace injects only pods that opt in. A running "
        "pod in an injected namespace without istio-proxy is outside the mesh: mTLS, "
        "authorization and routing rules do not apply to it."
    ),
    remediation=(
        "Keep exactly one of istio-injection, istio.io/rev or istio.io/dataplane-mode on each "
        "namespace, and restart pods that were created before injection was enabled."
    ),
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled, istio.io/rev: canary}
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/rev: canary}
""",
    since="0.1.0",
    istio=("IST0102", "IST0103", "IST0123", "IST0148"),
    check=check,
)
