"""MESH404: a Gateway TLS server whose credentialName Secret is absent or unusable."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.findings import Finding, Severity
from meshlint.mesh.core import Mesh
from meshlint.mesh.gateway_queries import (
    POD_KINDS,
    GatewayServer,
    gateway_servers,
    secret_keys,
    secret_namespaces,
)
from meshlint.model.base import Kind
from meshlint.model.kubernetes import Secret
from meshlint.model.networking import Gateway
from meshlint.rule import Rule, RuleContext

# Istio's SDS reads a generic Secret (cert/key/cacert) or a TLS Secret (tls.crt/tls.key/ca.crt)
CERT_PAIRS = (("tls.crt", "tls.key"), ("cert", "key"))
CA_KEYS = ("ca.crt", "cacert")
CA_SUFFIX = "-cacert"  # MUTUAL: the CA may live in a Secret "<credentialName>-cacert"
MUTUAL = frozenset({"MUTUAL", "OPTIONAL_MUTUAL"})
TERMINATING = frozenset({"SIMPLE"}) | MUTUAL
ALL_KEYS = (*CA_KEYS, *(k for pair in CERT_PAIRS for k in pair))


def check(ctx: RuleContext) -> Iterator[Finding]:
    scope = secret_namespaces(ctx.mesh)
    for gateway in ctx.mesh.all(Gateway):
        # 6.1: the Secret is read in the namespace of the gateway pod, not of the Gateway
        namespaces = sorted({w.namespace for w in ctx.mesh.gateway_workloads(gateway)})
        known = [ns for ns in namespaces if scope is None or ns in scope]
        if not known:
            continue  # pods or their Secrets not in the input: unknown, not missing
        for item in gateway_servers(gateway):
            for pointer, name in _credentials(item):
                for namespace in known:
                    problem = _problem(ctx.mesh, namespace, name, item.tls_mode)
                    if problem is not None:
                        yield ctx.finding(gateway, pointer, name=name, problem=problem)


def _credentials(item: GatewayServer) -> Iterator[tuple[str, str]]:
    tls = item.server.tls
    if tls is None or item.tls_mode not in TERMINATING:
        return
    base = f"{item.pointer}/tls"
    if tls.credential_name:
        yield f"{base}/credentialName", tls.credential_name
    for index, name in enumerate(tls.credential_names):
        yield f"{base}/credentialNames/{index}", name


def _problem(mesh: Mesh, namespace: str, name: str, mode: str) -> str | None:
    if "://" in name or "/" in name:
        return None  # an SDS resource or cross-namespace reference: not a local Secret
    secret = mesh.get(Secret, namespace, name)
    if secret is None:
        if mesh.exists(Kind.SECRET, namespace, name):
            return None  # in the input but not buildable: contents unknown
        return f"not found in namespace {namespace}, where the gateway pods run"
    keys = secret_keys(secret, ALL_KEYS)
    if not any(set(pair) <= keys for pair in CERT_PAIRS):
        present = ", ".join(sorted(keys)) or "none"
        return f"in {namespace} has neither tls.crt/tls.key nor cert/key (recognised: {present})"
    if mode in MUTUAL and not _has_ca(mesh, namespace, name, keys):
        return (
            f"in {namespace} has no CA certificate (ca.crt or cacert, or a Secret "
            f"{name}{CA_SUFFIX}) for {mode} client verification"
        )
    return None


def _has_ca(mesh: Mesh, namespace: str, name: str, keys: frozenset[str]) -> bool:
    if keys & set(CA_KEYS):
        return True
    separate = mesh.get(Secret, namespace, name + CA_SUFFIX)
    if separate is None:
        return mesh.exists(Kind.SECRET, namespace, name + CA_SUFFIX)
    return bool(secret_keys(separate, CA_KEYS))


RULE = Rule(
    code="MESH404",
    name="gw-tls-credential",
    summary="A Gateway TLS server's credentialName Secret is missing or unusable",
    message="{resource}: TLS credential Secret {name} {problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.GATEWAY, Kind.SECRET}) | POD_KINDS,
    rationale=(
        "A gateway fetches a credentialName Secret from the namespace its own pods run in, not "
        "the Gateway's namespace. When the Secret is missing there, or lacks the certificate "
        "and key (or the CA that MUTUAL needs), the listener has no certificate and TLS "
        "handshakes for the server's hosts fail. The rule only looks in namespaces where the "
        "input holds Secrets, since TLS Secrets are often created outside Git."
    ),
    remediation=(
        "Create the Secret in the gateway pods' namespace with tls.crt and tls.key (plus ca.crt "
        "for MUTUAL), or fix credentialName."
    ),
    example_bad="""\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-system}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-certificate}
""",
    example_good="""\
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-system}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
""",
    since="0.1.0",
    istio=("IST0101", "IST0161"),
    kiali=(),
    check=check,
)
