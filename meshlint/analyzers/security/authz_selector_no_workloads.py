"""MESH313: an AuthorizationPolicy whose selector (or namespace) holds no workload."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security_queries import WORKLOAD_KINDS, policy_workloads, workloads_known
from meshlint.model.base import Kind
from meshlint.model.security import AuthorizationPolicy
from meshlint.rule import Rule, RuleContext


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not workloads_known(ctx.mesh, None):
        return  # the input lists no workload at all: nothing can be said (offline precision)
    root = ctx.mesh.settings.root_namespace
    for policy in ctx.mesh.all(AuthorizationPolicy):
        if policy.spec.target_ref is not None or policy.spec.target_refs:
            continue  # targetRef policies attach to gateways/waypoints, not selected pods
        if policy_workloads(ctx.mesh, policy):
            continue
        namespace = ctx.mesh.namespace_of(policy)
        yield _finding(ctx, policy, namespace, root)


def _finding(ctx: RuleContext, policy: AuthorizationPolicy, namespace: str, root: str) -> Finding:
    scope = "the mesh" if namespace == root else f"namespace {namespace}"
    selector = policy.spec.selector
    has_selector = selector is not None and bool(selector.match_labels)
    what = "its selector matches no workload" if has_selector else "there is no workload"
    # the namespace may just be missing from the input: say so at info level (SPEC §1). A
    # root-namespace policy can select any namespace's pods (often the ingress gateway's):
    # trusted only when the input holds workloads of the root namespace (the install) too
    trusted = workloads_known(ctx.mesh, namespace)
    written = policy.metadata.namespace is not None
    pointer = "/spec/selector" if has_selector else "/metadata/namespace" if written else ""
    return ctx.finding(
        policy,
        pointer,
        key=has_selector,
        severity=None if trusted or ctx.severity else Severity.INFO,
        what=what,
        scope=scope,
        note="" if trusted else f" (no {namespace} workload is in the input: it may be partial)",
    )


RULE = Rule(
    code="MESH313",
    name="authz-selector-no-workloads",
    summary="An AuthorizationPolicy selects no workload in the input",
    message="{resource} applies to nothing: {what} in {scope}{note}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.AUTHORIZATION_POLICY, *WORKLOAD_KINDS}),
    rationale=(
        "A policy takes effect only on workloads it selects: in its own namespace, or in "
        "every namespace when it lives in the root namespace. A selector that matches no "
        "workload (a typo in a label, a renamed app) leaves the intended workloads without "
        "the protection, silently."
    ),
    remediation=(
        "Fix the selector labels or the policy's namespace so that it selects the intended "
        "workloads, or delete the policy."
    ),
    example_bad="""\
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: kart}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]
""",
    example_good="""\
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]
""",
    since="0.1.0",
    istio=("IST0127",),
    kiali=("KIA0004",),
    check=check,
)
