"""MESH301: a DestinationRule sends plaintext or non-Istio TLS to a STRICT mTLS port."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.security import MtlsLevel, MtlsMode
from meshlint.mesh.security_queries import WORKLOAD_KINDS, Endpoint, TlsSetting, dr_tls_endpoints
from meshlint.model.base import Kind, Resource
from meshlint.model.networking import DestinationRule
from meshlint.rule import Rule, RuleContext

# 4.4: DR DISABLE -> plaintext refused by STRICT; SIMPLE/MUTUAL -> no Istio client cert
NON_ISTIO_MODES = frozenset({"DISABLE", "SIMPLE", "MUTUAL"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    for dr in ctx.mesh.all(DestinationRule):
        by_setting: dict[str, list[Endpoint]] = {}
        settings: dict[str, TlsSetting] = {}
        for setting, endpoint in dr_tls_endpoints(ctx.mesh, dr):
            if setting.mode in NON_ISTIO_MODES:
                by_setting.setdefault(setting.pointer, []).append(endpoint)
                settings[setting.pointer] = setting
        for pointer, endpoints in by_setting.items():
            strict = _first_strict(ctx, endpoints)
            if strict is not None:
                yield _finding(ctx, dr, settings[pointer], strict)


def _finding(
    ctx: RuleContext, dr: DestinationRule, setting: TlsSetting, strict: Endpoint
) -> Finding:
    decision = ctx.mesh.peer_authentication_mode(strict.workload, strict.target)
    related: list[tuple[Resource, str, str]] = []
    if decision.policy is not None:
        at = "/spec/mtls/mode"
        if decision.level is MtlsLevel.PORT:
            at = f"/spec/portLevelMtls/{strict.target}/mode"
        related.append((decision.policy, at, f"STRICT at {decision.level} level"))
    return ctx.finding(
        dr,
        setting.pointer,
        related=related,
        mode=setting.mode,
        workload=f"{strict.workload.namespace}/{strict.workload.name}",
        port=strict.target if strict.target is not None else strict.port.name,
    )


def _first_strict(ctx: RuleContext, endpoints: list[Endpoint]) -> Endpoint | None:
    for endpoint in endpoints:
        # PeerAuthentication only acts where a sidecar is; unknown injection -> stay silent
        if endpoint.workload.has_sidecar is not True:
            continue
        decision = ctx.mesh.peer_authentication_mode(endpoint.workload, endpoint.target)
        if decision.mode is MtlsMode.STRICT:
            return endpoint
    return None


RULE = Rule(
    code="MESH301",
    name="mtls-plaintext-to-strict",
    summary="A DestinationRule sends plaintext or non-Istio TLS to a workload that requires mTLS",
    message=(
        "tls mode {mode} toward workload {workload}, whose port {port} requires Istio mTLS "
        "(STRICT): connections fail"
    ),
    severity=Severity.ERROR,
    kinds=frozenset(
        {
            Kind.DESTINATION_RULE,
            Kind.PEER_AUTHENTICATION,
            Kind.SERVICE,
            Kind.SERVICE_ENTRY,
            Kind.NAMESPACE,
            *WORKLOAD_KINDS,
        }
    ),
    rationale=(
        "A DestinationRule tls mode overrides auto mTLS for every endpoint. DISABLE sends "
        "plaintext and SIMPLE/MUTUAL present a non-Istio certificate, but a sidecar whose "
        "PeerAuthentication resolves to STRICT accepts only Istio mTLS: the connection is "
        "reset and callers see 503."
    ),
    remediation=(
        "Use tls mode ISTIO_MUTUAL (or remove tls and let auto mTLS decide), or relax the "
        "PeerAuthentication for that port."
    ),
    example_bad="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec: {host: cart, trafficPolicy: {tls: {mode: DISABLE}}}
""",
    example_good="""\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: cart, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec: {host: cart, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
""",
    since="0.1.0",
    kiali=("KIA0207", "KIA0208"),
    check=check,
)
