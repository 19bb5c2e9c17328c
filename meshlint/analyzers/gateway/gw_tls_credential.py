"""MESH404: a Gateway TLS server whose credentialName Secret is absent or unusable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

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
from meshlint.model.kubernetes import CertificateFacts, Secret
from meshlint.model.networking import Gateway
from meshlint.rule import Rule, RuleContext

# Istio's SDS reads a generic Secret (cert/key/cacert) or a TLS Secret (tls.crt/tls.key/ca.crt);
# the generic keys win when both pairs hold values (pilot/pkg/credentials/kube ExtractCertInfo)
CERT_PAIRS = (("cert", "key"), ("tls.crt", "tls.key"))
CA_KEYS = ("cacert", "ca.crt")  # same precedence (ExtractRoot)
CA_SUFFIX = "-cacert"  # MUTUAL: the CA may live in a Secret "<credentialName>-cacert"
MUTUAL = frozenset({"MUTUAL", "OPTIONAL_MUTUAL"})
TERMINATING = frozenset({"SIMPLE"}) | MUTUAL
ALL_KEYS = (*CA_KEYS, *(k for pair in CERT_PAIRS for k in pair))
PARSE_ERRORS = {
    "empty": "the value is empty",
    "not-text": "the value is not a string",
    "not-base64": "the data value is not base64",
    "not-pem": "no CERTIFICATE block",
    "not-x509": "a CERTIFICATE block does not parse",
}


class Options(BaseModel):
    """MESH404 options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    now: datetime | None = Field(
        None,
        description=(
            "The instant certificate expiry is judged at (a naive time is UTC); default: the "
            "time of the run, so an expiry finding depends on the date meshlint runs."
        ),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    scope = secret_namespaces(ctx.mesh)
    now = _now(ctx.options)
    for gateway in ctx.mesh.all(Gateway):
        # 6.1: the Secret is read in the namespace of the gateway pod, not of the Gateway
        namespaces = sorted({w.namespace for w in ctx.mesh.gateway_workloads(gateway)})
        known = [ns for ns in namespaces if scope is None or ns in scope]
        if not known:
            continue  # pods or their Secrets not in the input: unknown, not missing
        for item in gateway_servers(gateway):
            for pointer, name in _credentials(item):
                for namespace in known:
                    problem = _problem(ctx.mesh, namespace, name, item.tls_mode, now)
                    if problem is not None:
                        yield ctx.finding(gateway, pointer, name=name, problem=problem)


def _now(options: BaseModel | None) -> datetime:
    chosen = options.now if isinstance(options, Options) else None
    if chosen is None:
        return datetime.now(UTC)
    return chosen if chosen.tzinfo is not None else chosen.replace(tzinfo=UTC)


def _credentials(item: GatewayServer) -> Iterator[tuple[str, str]]:
    tls = item.server.tls
    if tls is None or item.tls_mode not in TERMINATING:
        return
    base = f"{item.pointer}/tls"
    if tls.credential_name:
        yield f"{base}/credentialName", tls.credential_name
    for index, name in enumerate(tls.credential_names):
        yield f"{base}/credentialNames/{index}", name


def _problem(mesh: Mesh, namespace: str, name: str, mode: str, now: datetime) -> str | None:
    if "://" in name or "/" in name:
        return None  # an SDS resource or cross-namespace reference: not a local Secret
    secret = mesh.get(Secret, namespace, name)
    if secret is None:
        if mesh.exists(Kind.SECRET, namespace, name):
            return None  # in the input but not buildable: contents unknown
        return f"not found in namespace {namespace}, where the gateway pods run"
    problem = _certificate_problem(secret, now)
    if problem is None and mode in MUTUAL:
        problem = _ca_problem(mesh, namespace, name, secret, now)
    return None if problem is None else f"in {namespace} {problem}"


def _certificate_problem(secret: Secret, now: datetime) -> str | None:
    """What is wrong with the server certificate and key, the way Istio's SDS reads them."""
    for cert, key in CERT_PAIRS:
        if secret.has_value(cert) and secret.has_value(key):
            problem = _facts_problem(cert, secret.certificates.get(cert), now, bundle=False)
            return None if problem is None else f"has {problem}"
    for cert, key in CERT_PAIRS:
        if secret_keys(secret, (cert, key)) == {cert, key}:
            return f"has keys {cert} and {key}, but they are empty"
    present = ", ".join(sorted(secret_keys(secret, ALL_KEYS))) or "none"
    return f"has neither tls.crt/tls.key nor cert/key (recognised: {present})"


def _ca_problem(mesh: Mesh, namespace: str, name: str, secret: Secret, now: datetime) -> str | None:
    """The CA for client certificates: a Secret ``<name>-cacert`` when it exists, else the
    credential Secret itself (Istio's GetCaCert)."""
    separate = mesh.get(Secret, namespace, name + CA_SUFFIX)
    if separate is None and mesh.exists(Kind.SECRET, namespace, name + CA_SUFFIX):
        return None  # in the input but not buildable: contents unknown
    holder = secret if separate is None else separate
    key = _first_valued(holder, CA_KEYS)
    if key is None:
        return (
            f"has no CA certificate (ca.crt or cacert, or a Secret {name}{CA_SUFFIX}) "
            "for client verification"
        )
    problem = _facts_problem(key, holder.certificates.get(key), now, bundle=True)
    if problem is None:
        return None
    return (
        f"has {problem}" if separate is None else f"has a CA Secret {separate.name} with {problem}"
    )


def _first_valued(secret: Secret, keys: Sequence[str]) -> str | None:
    return next((key for key in keys if secret.has_value(key)), None)


def _facts_problem(
    key: str, facts: CertificateFacts | None, now: datetime, *, bundle: bool
) -> str | None:
    """An unparseable or expired certificate value. A chain expires with its first
    certificate, a CA bundle with its last (``bundle``)."""
    if facts is None:
        return None
    if facts.error is not None:
        reason = PARSE_ERRORS.get(facts.error, facts.error)
        return f"a {key} that is not a valid PEM certificate ({reason})"
    expiry = facts.latest_expiry if bundle else facts.earliest_expiry
    if expiry is not None and datetime.fromisoformat(expiry) <= now:
        return f"a {key} that expired on {expiry}"
    return None


RULE = Rule(
    code="MESH404",
    name="gw-tls-credential",
    summary="A Gateway TLS server's credentialName Secret is missing or unusable",
    message="{resource}: TLS credential Secret {name} {problem}",
    severity=Severity.ERROR,
    kinds=frozenset({Kind.GATEWAY, Kind.SECRET}) | POD_KINDS,
    rationale=(
        "A gateway fetches a credentialName Secret from the namespace its own pods run in, not "
        "the Gateway's namespace. When the Secret is missing there, lacks the certificate and "
        "key (or the CA that MUTUAL needs), or holds a certificate that is not valid PEM, the "
        "listener gets no usable certificate and TLS handshakes for the server's hosts fail; "
        "an expired certificate is served but rejected by clients. The rule only looks in "
        "namespaces where the input holds Secrets, since TLS Secrets are often created outside "
        "Git. Expiry is judged at the time of the run (option now), so the same input can pass "
        "today and fail later."
    ),
    remediation=(
        "Create the Secret in the gateway pods' namespace with a valid PEM certificate in "
        "tls.crt and its key in tls.key (plus ca.crt for MUTUAL), renew an expired "
        "certificate, or fix credentialName."
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
stringData:
  tls.key: (private key)
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBGTCBwaADAgECAgEBMAoGCCqGSM49BAMCMBYxFDASBgNVBAMMC2V4YW1wbGUu
    Y29tMCAXDTI0MDEwMTAwMDAwMFoYDzk5OTkxMjMxMjM1OTU5WjAWMRQwEgYDVQQD
    DAtleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGIQjB56t/w8
    G41psm3cOhb7RRnwM47LPJPoZA9VfCWb5fFFdvLF2dgiqJfQzSSFmaksSls7y/54
    dK+26u3Ocd8wCgYIKoZIzj0EAwIDRwAwRAIgaD0qQOwbl9SVqB6SU9Jjb9BQ6CJx
    fyDwA2CRpvnxCvACIA8EAivex13pauzJoTQm5vvkRCQz1pr7bPwTiQLMnCZh
    -----END CERTIFICATE-----
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
stringData:
  tls.key: (private key)
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBGTCBwaADAgECAgEBMAoGCCqGSM49BAMCMBYxFDASBgNVBAMMC2V4YW1wbGUu
    Y29tMCAXDTI0MDEwMTAwMDAwMFoYDzk5OTkxMjMxMjM1OTU5WjAWMRQwEgYDVQQD
    DAtleGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGIQjB56t/w8
    G41psm3cOhb7RRnwM47LPJPoZA9VfCWb5fFFdvLF2dgiqJfQzSSFmaksSls7y/54
    dK+26u3Ocd8wCgYIKoZIzj0EAwIDRwAwRAIgaD0qQOwbl9SVqB6SU9Jjb9BQ6CJx
    fyDwA2CRpvnxCvACIA8EAivex13pauzJoTQm5vvkRCQz1pr7bPwTiQLMnCZh
    -----END CERTIFICATE-----
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
    options=Options,
)
