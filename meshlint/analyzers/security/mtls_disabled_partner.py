"""MESH307: mesh/namespace mTLS on one side (PeerAuthentication) and off on the other (DR)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.matching import host_subset_of, is_wildcard
from meshlint.model.base import Kind, Resource
from meshlint.model.networking import DestinationRule
from meshlint.model.security import PeerAuthentication
from meshlint.rule import Rule, RuleContext

# server mode -> client (DestinationRule) modes that break it (4.4)
CONFLICTS = {"STRICT": frozenset({"DISABLE"}), "DISABLE": frozenset({"ISTIO_MUTUAL"})}


def check(ctx: RuleContext) -> Iterator[Finding]:
    candidates = _wildcard_tls_rules(ctx)
    for policy in ctx.mesh.all(PeerAuthentication):
        selector = policy.spec.selector
        mode = policy.spec.mtls.mode if policy.spec.mtls is not None else None
        if (selector is not None and selector.match_labels) or mode not in CONFLICTS:
            continue
        namespace = ctx.mesh.namespace_of(policy)
        wide = _wide_rules(ctx, namespace, candidates)
        clash = next(((dr, m) for dr, m in wide if m in CONFLICTS[mode]), None)
        if clash is not None:
            dr, client = clash
            partner = f"DestinationRule {ctx.mesh.namespace_of(dr)}/{dr.name} sets tls {client}"
            yield _finding(ctx, policy, (mode, partner), dr)
        elif _auto_off_plaintext(ctx, mode, wide):
            partner = "auto mTLS is off and no DestinationRule enables ISTIO_MUTUAL"
            yield _finding(ctx, policy, (mode, partner), None)


def _auto_off_plaintext(
    ctx: RuleContext, mode: str, wide: list[tuple[DestinationRule, str]]
) -> bool:
    """STRICT servers while clients send plaintext: auto mTLS off and no ISTIO_MUTUAL rule."""
    if mode != "STRICT" or ctx.mesh.settings.enable_auto_mtls:
        return False
    return not any(m == "ISTIO_MUTUAL" for _, m in wide)


def _finding(
    ctx: RuleContext,
    policy: PeerAuthentication,
    conflict: tuple[str, str],
    dr: DestinationRule | None,
) -> Finding:
    mode, partner = conflict
    namespace = ctx.mesh.namespace_of(policy)
    level = "mesh" if namespace == ctx.mesh.settings.root_namespace else "namespace"
    related: list[tuple[Resource, str, str]] = []
    if dr is not None:
        related.append((dr, "/spec/trafficPolicy/tls/mode", "client side"))
    return ctx.finding(
        policy, "/spec/mtls/mode", related=related, level=level, mode=mode, partner=partner
    )


def _wildcard_tls_rules(ctx: RuleContext) -> list[tuple[DestinationRule, str, str]]:
    """DestinationRules for every workload with a wildcard host and a top-level tls mode,
    with their namespace and mode (only such a rule can cover a whole namespace)."""
    found: list[tuple[DestinationRule, str, str]] = []
    for dr in ctx.mesh.all(DestinationRule):
        tls = dr.spec.traffic_policy.tls if dr.spec.traffic_policy is not None else None
        if tls is None or not tls.mode or dr.spec.workload_selector is not None:
            continue
        if is_wildcard(dr.spec.host):
            found.append((dr, ctx.mesh.namespace_of(dr), tls.mode))
    return found


def _wide_rules(
    ctx: RuleContext, namespace: str, candidates: list[tuple[DestinationRule, str, str]]
) -> list[tuple[DestinationRule, str]]:
    """Wildcard DestinationRules (root namespace or ``namespace``) covering every service of
    the policy's scope, with their top-level tls mode."""
    root = ctx.mesh.settings.root_namespace
    suffix = ctx.mesh.settings.domain_suffix
    probe = f"*.svc.{suffix}" if namespace == root else f"*.{namespace}.svc.{suffix}"
    found = [
        (dr, mode)
        for dr, dr_namespace, mode in candidates
        if dr_namespace in (root, namespace) and _covers(dr.spec.host, probe)
    ]
    # 3.4: a rule in the services' own namespace wins over the root namespace's
    own = [(dr, mode) for dr, mode in found if ctx.mesh.namespace_of(dr) == namespace]
    return own or found


def _covers(host: str, probe: str) -> bool:
    return is_wildcard(host) and host_subset_of(probe, host)


RULE = Rule(
    code="MESH307",
    name="mtls-disabled-partner",
    summary="mTLS is enabled on one side and disabled on the other at mesh or namespace level",
    message="{level}-wide mTLS {mode} here, but {partner}",
    severity=Severity.WARNING,
    kinds=frozenset({Kind.PEER_AUTHENTICATION, Kind.DESTINATION_RULE}),
    rationale=(
        "A mesh- or namespace-wide PeerAuthentication sets what servers accept; a wildcard "
        "DestinationRule (or auto mTLS) sets what clients send. STRICT servers refuse the "
        "plaintext a DISABLE rule sends, and DISABLE servers pass the TLS bytes an "
        "ISTIO_MUTUAL rule sends to the application. With auto mTLS off, clients send "
        "plaintext unless a DestinationRule enables ISTIO_MUTUAL."
    ),
    remediation=(
        "Make the wildcard DestinationRule agree with the PeerAuthentication (or remove its "
        "tls setting and keep auto mTLS on)."
    ),
    example_bad="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: DISABLE}}}
""",
    example_good="""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
""",
    since="0.1.0",
    kiali=("KIA0501", "KIA0505", "KIA0506"),
    check=check,
)
